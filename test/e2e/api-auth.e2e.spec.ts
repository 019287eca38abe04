import { createHash, randomUUID } from 'node:crypto';
import { aProjectBody, createTestDatabase, RunningService, startProcess, startService, TestDatabase } from '@swe-sim/testing';

/** Issue 6: API keys (hashed, scoped), the bootstrap key, 401 / 403, and the per-key rate limit. */
describe('project-management API authentication', () => {
  const BOOTSTRAP = `boot-${randomUUID()}`;
  const RATE = 30;
  let db: TestDatabase;
  let pm: RunningService;
  const call = async (path: string, key?: string, init: { method?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== undefined) headers.authorization = key.includes(' ') ? key : `Bearer ${key}`;
    const r = await fetch(`${pm.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
  };
  const newKey = async (scopes: string[]) => (await call('/api-keys', BOOTSTRAP, { method: 'POST', body: { name: `k-${scopes.join('-')}`, scopes } })).body.key as string;

  beforeAll(async () => {
    db = await createTestDatabase();
    pm = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOTSTRAP, API_RATE_LIMIT_PER_MINUTE: String(RATE) });
  });
  afterAll(async () => {
    await pm?.kill();
    await db?.drop();
  });

  it('keeps /health open and does not warn that the API is open', async () => {
    expect((await call('/health')).status).toBe(200);
    expect(pm.output()).not.toContain('AUTHENTICATION IS OFF');
  });

  it('answers 401 UNAUTHENTICATED without a valid key, before looking at the request', async () => {
    for (const key of [undefined, 'wrong-key', `${BOOTSTRAP}x`, 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${'k'.repeat(10_000)}`, "Bearer ' OR 1=1 --"]) {
      for (const [path, method, body] of [
        [`/projects/${randomUUID()}`, 'GET', undefined],
        ['/projects/not-a-uuid', 'GET', undefined],
        ['/projects', 'POST', aProjectBody()],
        ['/api-keys', 'POST', { name: 'x', scopes: ['admin'] }],
      ] as const) {
        const r = await call(path, key, { method, body });
        expect({ key: key?.slice(0, 30), path, status: r.status, code: r.body?.error?.code }).toEqual({ key: key?.slice(0, 30), path, status: 401, code: 'UNAUTHENTICATED' });
      }
    }
    expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);
  });

  it('lets the bootstrap key do everything and stores keys only as sha256', async () => {
    const created = await call('/projects', BOOTSTRAP, { method: 'POST', body: aProjectBody() });
    expect(created.status).toBe(201);
    expect((await call(`/projects/${randomUUID()}`, BOOTSTRAP)).body.error.code).toBe('PROJECT_NOT_FOUND');
    const key = await newKey(['read']);
    expect(key).toMatch(/^sws_[A-Za-z0-9_-]{43}$/);
    const rows = (await db.pool.query('SELECT name, key_hash, scopes FROM pm_api_keys ORDER BY created_at')).rows;
    expect(rows).toEqual([
      { name: 'bootstrap', key_hash: createHash('sha256').update(BOOTSTRAP).digest('hex'), scopes: ['read', 'write', 'admin'] },
      { name: 'k-read', key_hash: createHash('sha256').update(key).digest('hex'), scopes: ['read'] },
    ]);
    expect(JSON.stringify(rows)).not.toContain(BOOTSTRAP);
  });

  it('answers 403 FORBIDDEN to a key without the scope', async () => {
    const read = await newKey(['read']);
    const write = await newKey(['write']);
    expect((await call(`/projects/${randomUUID()}`, read)).status).toBe(404);
    const refused = await call('/projects', read, { method: 'POST', body: aProjectBody() });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', details: { requiredScope: 'write' } } } });
    expect((await call(`/simulations/${randomUUID()}/cancel`, read, { method: 'POST', body: {} })).status).toBe(403);
    expect((await call('/api-keys', read, { method: 'POST', body: { name: 'escalate', scopes: ['admin'] } })).status).toBe(403);
    expect((await call('/api-keys', write, { method: 'POST', body: { name: 'escalate', scopes: ['admin'] } })).status).toBe(403);
    expect((await call(`/projects/${randomUUID()}`, write)).status).toBe(403);
    expect((await call('/projects', write, { method: 'POST', body: aProjectBody() })).status).toBe(201);
    expect((await call('/api-keys', BOOTSTRAP, { method: 'POST', body: { name: 'x', scopes: ['root'] } })).body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'scopes.0' });
  });

  it('limits each key to API_RATE_LIMIT_PER_MINUTE with 429 RATE_LIMITED and Retry-After', async () => {
    const key = await newKey(['read']);
    const path = `/projects/${randomUUID()}`;
    const statuses: number[] = [];
    for (let i = 0; i < RATE; i++) statuses.push((await call(path, key)).status);
    expect(statuses.every((s) => s === 404)).toBe(true);
    const limited = await call(path, key);
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2); // one token comes back every 2 s at 30/min
    // Another key has its own bucket.
    expect((await call(path, await newKey(['read']))).status).toBe(404);
  });

  it('refuses to start with a short SWE_SIM_API_KEY', async () => {
    const p = startProcess('apps/project-management/src/main.js', { DATABASE_URL: db.url, SWE_SIM_API_KEY: 'short', API_RATE_LIMIT_PER_MINUTE: '0' });
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('SWE_SIM_API_KEY');
    expect(p.output()).toContain('API_RATE_LIMIT_PER_MINUTE');
  });
});

/** A second project-management on the same database: what one process decides, the other honours. */
describe('project-management API keys across processes', () => {
  const BOOTSTRAP = `boot-${randomUUID()}`;
  const RATE = 30;
  let db: TestDatabase;
  let pm1: RunningService;
  let pm2: RunningService;
  const call = async (pm: RunningService, path: string, key: string | undefined, init: { method?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    const r = await fetch(`${pm.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
  };
  const newKey = async (name: string, scopes: string[]) => (await call(pm1, '/api-keys', BOOTSTRAP, { method: 'POST', body: { name, scopes } })).body as { keyId: string; key: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOTSTRAP, API_RATE_LIMIT_PER_MINUTE: String(RATE) };
    [pm1, pm2] = await Promise.all([startService('project-management', env), startService('project-management', env)]);
  });
  afterAll(async () => {
    await Promise.all([pm1?.kill(), pm2?.kill()]);
    await db?.drop();
  });

  it('holds the rate limit across processes: together they let through one bucket a key', async () => {
    const { key } = await newKey('shared', ['read']);
    const path = `/projects/${randomUUID()}`;
    const started = Date.now();
    // 90 requests at once, alternating between the processes: each process alone would let 30 through.
    const answers = await Promise.all(Array.from({ length: 90 }, (_, i) => call(i % 2 ? pm1 : pm2, path, key).then((r) => ({ pm: i % 2, ...r }))));
    const elapsedMs = Date.now() - started;
    const accepted = answers.filter((a) => a.status === 404);
    const limited = answers.filter((a) => a.status === 429);
    expect(accepted.length + limited.length).toBe(90);
    expect(accepted.length).toBeGreaterThanOrEqual(RATE);
    expect(accepted.length).toBeLessThanOrEqual(RATE + Math.ceil((elapsedMs / 60_000) * RATE)); // one token back every 2 s at most
    expect(new Set(accepted.map((a) => a.pm)).size).toBe(2); // both processes took from the same bucket
    expect(limited[0]).toMatchObject({ body: { error: { code: 'RATE_LIMITED' } } });
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited[0].headers.get('retry-after'))).toBeLessThanOrEqual(2);
    // Another key, through either process, has its own bucket.
    expect((await call(pm2, path, (await newKey('other', ['read'])).key)).status).toBe(404);
  });

  it('lists keys, newest first, a page at a time, without a key or its hash', async () => {
    const made = [await newKey('list-a', ['read']), await newKey('list-b', ['write', 'read']), await newKey('list-c', ['admin'])];
    await call(pm2, `/projects/${randomUUID()}`, made[0].key); // used once, through the other process
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(pm2, `/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, BOOTSTRAP);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen.map((k) => k.keyId)).size).toBe(seen.length);
    const all = (await db.pool.query(`SELECT key_id, key_hash FROM pm_api_keys ORDER BY created_at DESC, key_id DESC`)).rows;
    expect(seen.map((k) => k.keyId)).toEqual(all.map((r) => r.key_id));
    expect(seen.slice(0, 3).map((k) => k.name)).toEqual(['list-c', 'list-b', 'list-a']);
    for (const k of seen) expect(Object.keys(k).sort()).toEqual(['createdAt', 'keyId', 'lastUsedAt', 'name', 'revokedAt', 'scopes']);
    const a = seen.find((k) => k.keyId === made[0].keyId);
    expect(a).toMatchObject({ name: 'list-a', scopes: ['read'], revokedAt: null, lastUsedAt: expect.any(String) });
    expect(Date.parse(a.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(a.createdAt));
    expect(seen.find((k) => k.keyId === made[2].keyId).lastUsedAt).toBeNull();
    const text = JSON.stringify(seen);
    for (const secret of [BOOTSTRAP, ...made.map((m) => m.key), ...all.map((r) => r.key_hash)]) expect(text).not.toContain(secret);

    for (const [query, field] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['cursor=nope!', 'cursor'], ['keyId=x', 'keyId']]) {
      expect((await call(pm1, `/api-keys?${query}`, BOOTSTRAP)).body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    for (const scopes of [['read'], ['write'], ['read', 'write']]) {
      expect((await call(pm1, '/api-keys', (await newKey('not-admin', scopes)).key)).body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: 'admin' } });
    }
  });

  it('refuses a revoked key at once in every process, and says which ids it does not know', async () => {
    const victim = await newKey('victim', ['read', 'write']);
    const path = `/projects/${randomUUID()}`;
    expect((await call(pm1, path, victim.key)).status).toBe(404);
    expect((await call(pm2, path, victim.key)).status).toBe(404); // pm2 has seen it valid
    const revoked = await call(pm1, `/api-keys/${victim.keyId}`, BOOTSTRAP, { method: 'DELETE' });
    expect(revoked).toMatchObject({ status: 200, body: { keyId: victim.keyId, name: 'victim', scopes: ['read', 'write'], revokedAt: expect.any(String) } });
    expect(JSON.stringify(revoked.body)).not.toContain(victim.key);
    // The very next request, in either process: no cache holds the key.
    for (const pm of [pm2, pm1]) expect((await call(pm, path, victim.key)).body.error.code).toBe('UNAUTHENTICATED');
    // Revoking again answers the same: the first revocation's time.
    const again = await call(pm2, `/api-keys/${victim.keyId}`, BOOTSTRAP, { method: 'DELETE' });
    expect(again).toMatchObject({ status: 200, body: { revokedAt: revoked.body.revokedAt } });
    const listed = (await call(pm2, '/api-keys?limit=100', BOOTSTRAP)).body.items.find((k: any) => k.keyId === victim.keyId);
    expect(listed.revokedAt).toBe(revoked.body.revokedAt);

    expect(await call(pm1, `/api-keys/${randomUUID()}`, BOOTSTRAP, { method: 'DELETE' })).toMatchObject({ status: 404, body: { error: { code: 'API_KEY_NOT_FOUND' } } });
    for (const id of ['not-a-uuid', '123', `${randomUUID()}x`, "1' OR '1'='1"]) {
      const r = await call(pm1, `/api-keys/${encodeURIComponent(id)}`, BOOTSTRAP, { method: 'DELETE' });
      expect({ id, status: r.status, error: r.body.error }).toMatchObject({ id, status: 400, error: { code: 'VALIDATION_FAILED', field: 'id' } });
    }
    const other = await newKey('other-victim', ['read']);
    for (const scopes of [['read'], ['write']]) {
      const r = await call(pm1, `/api-keys/${other.keyId}`, (await newKey('not-admin', scopes)).key, { method: 'DELETE' });
      expect(r).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    }
    expect((await call(pm1, `/api-keys/${other.keyId}`, undefined, { method: 'DELETE' })).status).toBe(401);
    expect((await call(pm1, `/api-keys/${other.keyId}`, victim.key, { method: 'DELETE' })).status).toBe(401); // a revoked key revokes nothing
    expect((await call(pm2, path, other.key)).status).toBe(404); // still valid
  });

  it('revokes the bootstrap key for good: a restart with the same SWE_SIM_API_KEY keeps it revoked and the API closed', async () => {
    const admin = await newKey('second-admin', ['admin', 'read']);
    const bootstrapId = (await db.pool.query(`SELECT key_id FROM pm_api_keys WHERE name = 'bootstrap'`)).rows[0].key_id;
    expect((await call(pm2, `/api-keys/${bootstrapId}`, admin.key, { method: 'DELETE' })).status).toBe(200);
    expect((await call(pm1, '/api-keys', BOOTSTRAP)).status).toBe(401);

    await pm2.kill();
    pm2 = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOTSTRAP, API_RATE_LIMIT_PER_MINUTE: String(RATE), LOG_LEVEL: 'info' });
    expect(pm2.output()).toContain('SWE_SIM_API_KEY names a key revoked');
    expect((await call(pm2, '/api-keys', BOOTSTRAP)).status).toBe(401);
    expect((await call(pm2, '/api-keys', admin.key)).status).toBe(200);

    // Every key revoked and SWE_SIM_API_KEY unset: still closed (only a database that never had a key is open).
    const everyKey = (await db.pool.query(`SELECT key_id FROM pm_api_keys WHERE revoked_at IS NULL AND key_id <> $1`, [admin.keyId])).rows;
    for (const { key_id } of everyKey) expect((await call(pm1, `/api-keys/${key_id}`, admin.key, { method: 'DELETE' })).status).toBe(200);
    expect((await call(pm1, `/api-keys/${admin.keyId}`, admin.key, { method: 'DELETE' })).status).toBe(200);
    await pm2.kill();
    pm2 = await startService('project-management', { DATABASE_URL: db.url });
    expect(pm2.output()).not.toContain('AUTHENTICATION IS OFF');
    expect((await call(pm2, `/projects/${randomUUID()}`, undefined)).status).toBe(401);
    expect((await call(pm2, `/projects/${randomUUID()}`, admin.key)).status).toBe(401);

    // A new SWE_SIM_API_KEY is the way back in.
    const fresh = `boot-${randomUUID()}`;
    await pm2.kill();
    pm2 = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: fresh });
    expect((await call(pm2, '/api-keys', fresh)).status).toBe(200);
    expect((await call(pm1, '/api-keys', fresh)).status).toBe(200); // the other process knows it at once
  });
});
