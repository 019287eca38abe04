import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '@swe-sim/testing';
import { ApiKeysRepository } from './api-keys.repository';

/** The token bucket and the key lookup in one UPDATE, against a real Postgres. */
describe(ApiKeysRepository.name, () => {
  let db: TestDatabase;
  let otherPool: Pool;
  let sut: ApiKeysRepository;
  let other: ApiKeysRepository; // a second process's pool on the same database

  beforeAll(async () => {
    db = await createTestDatabase();
    otherPool = new Pool({ connectionString: db.url, max: 10 });
    sut = new ApiKeysRepository(db.pool);
    other = new ApiKeysRepository(otherPool);
  });
  afterAll(async () => {
    await otherPool?.end();
    await db?.drop();
  });

  it('grants at most the bucket to requests racing from two pools', async () => {
    const PER_MINUTE = 40;
    const { key } = await sut.create('racer', ['read']);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? sut : other).authenticate(key, PER_MINUTE)));
    const elapsedMs = Date.now() - started;
    const granted = results.filter((r) => r!.granted).length;
    // A read-modify-write race would let more through; the refill during the burst adds at most a few.
    expect(granted).toBeGreaterThanOrEqual(PER_MINUTE);
    expect(granted).toBeLessThanOrEqual(PER_MINUTE + Math.ceil((elapsedMs / 60_000) * PER_MINUTE));
    const refused = results.find((r) => !r!.granted)!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000 / PER_MINUTE);
  });

  it('refills continuously from the database clock, up to the bucket size', async () => {
    const { keyId, key } = await sut.create('refill', ['read']);
    const set = (tokens: number, secondsAgo: number) =>
      db.pool.query(`UPDATE pm_api_keys SET rate_tokens = $2, rate_at = now() - make_interval(secs => $3) WHERE key_id = $1`, [keyId, tokens, secondsAgo]);
    const tokens = async () => (await db.pool.query(`SELECT rate_tokens FROM pm_api_keys WHERE key_id = $1`, [keyId])).rows[0].rate_tokens as number;

    await set(0, 30); // 30 s at 60/min: 30 tokens back
    expect((await sut.authenticate(key, 60))!.granted).toBe(true);
    expect(await tokens()).toBeCloseTo(29, 0);
    await set(0, 3600); // an hour: capped at the bucket
    expect((await sut.authenticate(key, 60))!.granted).toBe(true);
    expect(await tokens()).toBeCloseTo(59, 5);
    await set(0.25, 0); // under one token: refused, nothing taken, and told when the next one is back
    const refused = (await sut.authenticate(key, 60))!;
    expect(refused.granted).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(700);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(750);
    expect(await tokens()).toBeGreaterThanOrEqual(0.25);
  });

  it('records the last request let through, and finds no revoked or unknown key', async () => {
    const { keyId, key } = await sut.create('used', ['write']);
    expect((await sut.list(100)).items.find((k) => k.keyId === keyId)!.lastUsedAt).toBeNull();
    const auth = await sut.authenticate(key, 10);
    expect(auth).toMatchObject({ key: { keyId, name: 'used', scopes: ['write'] }, granted: true });
    const listed = (await sut.list(100)).items.find((k) => k.keyId === keyId)!;
    expect(Date.parse(listed.lastUsedAt!)).toBeGreaterThan(Date.now() - 60_000);

    const revoked = await sut.revoke(keyId);
    expect(revoked).toMatchObject({ keyId, revokedAt: expect.any(String) });
    expect(await other.authenticate(key, 10)).toBeNull();
    expect((await sut.revoke(keyId))!.revokedAt).toBe(revoked!.revokedAt); // a second revocation keeps the first time
    expect(await sut.authenticate('sws_unknown', 10)).toBeNull();
    expect(await sut.revoke('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
