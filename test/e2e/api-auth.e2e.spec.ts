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
