import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@swe-sim/service-runtime';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  keyId: string;
  name: string;
  scopes: Scope[];
}

export const hashKey = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
export const newToken = () => `sws_${randomBytes(32).toString('base64url')}`;

/** pm_api_keys: keys by their sha256 (the key itself is never stored). */
@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The bootstrap key (all scopes); a previous bootstrap key with another value is revoked. */
  async upsertBootstrap(token: string): Promise<void> {
    const hash = hashKey(token);
    await this.pool.query(`UPDATE pm_api_keys SET revoked_at = now() WHERE name = 'bootstrap' AND key_hash <> $1 AND revoked_at IS NULL`, [hash]);
    await this.pool.query(
      `INSERT INTO pm_api_keys (key_id, name, key_hash, scopes) VALUES ($1, 'bootstrap', $2, $3)
       ON CONFLICT (key_hash) DO UPDATE SET scopes = EXCLUDED.scopes, revoked_at = NULL`,
      [randomUUID(), hash, [...SCOPES]],
    );
  }

  /** A new key; the token is returned once and only its hash is kept. */
  async create(name: string, scopes: Scope[]): Promise<ApiKey & { key: string }> {
    const key = newToken();
    const keyId = randomUUID();
    await this.pool.query(`INSERT INTO pm_api_keys (key_id, name, key_hash, scopes) VALUES ($1, $2, $3, $4)`, [keyId, name, hashKey(key), scopes]);
    return { keyId, name, scopes, key };
  }

  async findByToken(token: string): Promise<ApiKey | null> {
    const r = await this.pool.query(`SELECT key_id, name, scopes FROM pm_api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hashKey(token)]);
    return r.rowCount ? { keyId: r.rows[0].key_id, name: r.rows[0].name, scopes: r.rows[0].scopes } : null;
  }

  async countActive(): Promise<number> {
    return (await this.pool.query(`SELECT count(*)::int AS n FROM pm_api_keys WHERE revoked_at IS NULL`)).rows[0].n;
  }
}
