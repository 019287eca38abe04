import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@swe-sim/service-runtime';
import { ListPosition, ListSlice, keysetPage } from '../api/cursor';
import { UTC_MICROS } from '../projects/projects.repository';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  keyId: string;
  name: string;
  scopes: Scope[];
}

/** A key as GET /api-keys shows it: never the key nor its hash. */
export interface ApiKeySummary extends ApiKey {
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A request's key and whether its bucket had a token (else how long until one is back). */
export interface Authentication {
  key: ApiKey;
  granted: boolean;
  retryAfterMs: number;
}

export const hashKey = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
export const newToken = () => `sws_${randomBytes(32).toString('base64url')}`;

/**
 * Tokens in the key's bucket now: what was left, plus the refill since the last request (perMinute
 * a minute, $2), capped at perMinute. Only columns of the row being updated appear, so a concurrent
 * update makes Postgres re-evaluate this on the row's newest version (no read-modify-write race).
 * The database's clock is the one clock of every process.
 */
const AVAILABLE = `least($2::float8, coalesce(rate_tokens, $2::float8)
  + greatest(0, extract(epoch FROM statement_timestamp() - coalesce(rate_at, statement_timestamp())))::float8 * $2::float8 / 60)`;

const SUMMARY_COLUMNS = `key_id, name, scopes, created_at, last_used_at, revoked_at`;

const summary = (row: Record<string, any>): ApiKeySummary => ({
  keyId: row.key_id,
  name: row.name,
  scopes: row.scopes,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

/** pm_api_keys: keys by their sha256 (the key itself is never stored), each with its rate bucket. */
@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * The bootstrap key (all scopes); a previous bootstrap key with another value is revoked. A
   * bootstrap key revoked through the API stays revoked: the answer says so (null when active).
   */
  async upsertBootstrap(token: string): Promise<{ revokedAt: string | null }> {
    const hash = hashKey(token);
    await this.pool.query(`UPDATE pm_api_keys SET revoked_at = now() WHERE name = 'bootstrap' AND key_hash <> $1 AND revoked_at IS NULL`, [hash]);
    const r = await this.pool.query(
      `INSERT INTO pm_api_keys (key_id, name, key_hash, scopes) VALUES ($1, 'bootstrap', $2, $3)
       ON CONFLICT (key_hash) DO UPDATE SET scopes = EXCLUDED.scopes
       RETURNING revoked_at`,
      [randomUUID(), hash, [...SCOPES]],
    );
    return { revokedAt: r.rows[0].revoked_at?.toISOString() ?? null };
  }

  /** A new key; the token is returned once and only its hash is kept. */
  async create(name: string, scopes: Scope[]): Promise<ApiKey & { key: string }> {
    const key = newToken();
    const keyId = randomUUID();
    await this.pool.query(`INSERT INTO pm_api_keys (key_id, name, key_hash, scopes) VALUES ($1, $2, $3, $4)`, [keyId, name, hashKey(key), scopes]);
    return { keyId, name, scopes, key };
  }

  /**
   * One statement per request: finds the active key of a token and takes a token from its bucket
   * (perMinute a minute, refilled continuously), shared by every process on this database. Null
   * for an unknown or revoked key; nothing is cached, so a revocation holds from its commit on.
   */
  async authenticate(token: string, perMinute: number): Promise<Authentication | null> {
    const r = await this.pool.query(
      `UPDATE pm_api_keys SET
         rate_granted = ${AVAILABLE} >= 1,
         rate_tokens  = CASE WHEN ${AVAILABLE} >= 1 THEN ${AVAILABLE} - 1 ELSE ${AVAILABLE} END,
         rate_at      = greatest(coalesce(rate_at, statement_timestamp()), statement_timestamp()),
         last_used_at = CASE WHEN ${AVAILABLE} >= 1 THEN statement_timestamp() ELSE last_used_at END
       WHERE key_hash = $1 AND revoked_at IS NULL
       RETURNING key_id, name, scopes, rate_granted, rate_tokens`,
      [hashKey(token), perMinute],
    );
    if (!r.rowCount) return null;
    const row = r.rows[0];
    const perMs = perMinute / 60_000;
    return {
      key: { keyId: row.key_id, name: row.name, scopes: row.scopes },
      granted: row.rate_granted,
      retryAfterMs: row.rate_granted ? 0 : Math.max(1, Math.ceil((1 - row.rate_tokens) / perMs)),
    };
  }

  /** Whether any key was ever made (revoked ones count: revoking every key must not open the API). */
  async anyKeyExists(): Promise<boolean> {
    return (await this.pool.query(`SELECT EXISTS (SELECT 1 FROM pm_api_keys) AS any`)).rows[0].any;
  }

  /** Keys, newest first, revoked ones included; pages by (created_at, key_id). */
  async list(limit: number, after?: ListPosition): Promise<ListSlice<ApiKeySummary>> {
    const r = await this.pool.query(
      `SELECT ${SUMMARY_COLUMNS}, to_char(created_at AT TIME ZONE 'UTC', ${UTC_MICROS}) AS sort_at
       FROM pm_api_keys
       WHERE $1::timestamptz IS NULL OR (created_at, key_id) < ($1::timestamptz, $2::uuid)
       ORDER BY created_at DESC, key_id DESC
       LIMIT $3`,
      [after?.at ?? null, after?.id ?? null, limit + 1],
    );
    return keysetPage(r.rows, limit, 'key_id', summary);
  }

  /** Revokes a key (a second revocation keeps the first time); null for an unknown id. */
  async revoke(keyId: string): Promise<ApiKeySummary | null> {
    const r = await this.pool.query(`UPDATE pm_api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 RETURNING ${SUMMARY_COLUMNS}`, [keyId]);
    return r.rowCount ? summary(r.rows[0]) : null;
  }
}
