import { randomUUID } from 'node:crypto';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { aProjectBody, createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';

/** Issue 6: a simulation's history and the global log, paged in commit-safe order with opaque cursors. */
describe('project-management history', () => {
  let db: TestDatabase;
  let pm: RunningService;
  let store: EventStore;
  const BOOT = `boot-${randomUUID()}`;
  const headers = (key = BOOT) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
  const get = async (path: string, key?: string) => {
    const r = await fetch(`${pm.url}${path}`, { headers: headers(key) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${pm.url}${path}`, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  /** Follows nextCursor until a short page; returns the event ids and the last cursor. */
  const walk = async (path: string, limit: number, after?: string) => {
    const ids: string[] = [];
    let cursor = after;
    for (let pages = 0; pages < 1000; pages++) {
      const r = await get(`${path}?limit=${limit}${cursor ? `&after=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      ids.push(...r.body.items.map((e: any) => e.eventId));
      expect(typeof r.body.nextCursor).toBe('string');
      cursor = r.body.nextCursor;
      if (r.body.items.length < limit) return { ids, cursor: cursor! };
    }
    throw new Error('too many pages');
  };
  const dbOrder = async (where = 'true', params: unknown[] = []) =>
    (await db.pool.query(`SELECT event_id FROM events WHERE ${where} ORDER BY transaction_id, global_position`, params)).rows.map((r) => r.event_id);

  let projectId: string;
  const sims: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry() });
    pm = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOT, API_RATE_LIMIT_PER_MINUTE: '100000' });
    projectId = (await post('/projects', aProjectBody())).body.projectId;
    await eventually(async () => (await get(`/projects/${projectId}`)).status === 200, 10_000, 'project');
    for (let i = 0; i < 3; i++) sims.push((await post(`/projects/${projectId}/simulations`, { seed: i })).body.simulationId);
    expect((await post(`/simulations/${sims[0]}/cancel`, { reason: "'; DROP TABLE events; -- $(halt) 😀" })).status).toBe(202);
  });
  afterAll(async () => {
    await pm?.kill();
    await db?.drop();
  });

  it("pages a simulation's events in commit order, only its own, without gaps or repeats", async () => {
    await eventually(async () => (await dbOrder('simulation_id = $1', [sims[0]])).length >= 2, 10_000, 'events');
    const expected = await dbOrder('simulation_id = $1', [sims[0]]);
    for (const limit of [1, 2, 1000]) expect((await walk(`/simulations/${sims[0]}/events`, limit)).ids).toEqual(expected);
    const page = await get(`/simulations/${sims[0]}/events?limit=1`);
    expect(page.body.items[0]).toEqual({
      eventId: expected[0],
      position: expect.any(Number),
      type: 'SimulationStarted',
      schemaVersion: expect.any(Number),
      streamId: `simulation-${sims[0]}`,
      streamVersion: 1,
      data: expect.objectContaining({ simulationId: sims[0], config: expect.objectContaining({ seed: 0 }) }),
      metadata: expect.objectContaining({ simulationId: sims[0], actor: 'api' }),
    });
    expect(JSON.stringify((await get(`/simulations/${sims[0]}/events`)).body)).toContain("'; DROP TABLE events; -- $(halt) 😀");
  });

  it('continues from a cursor with only what came after it', async () => {
    const { ids, cursor } = await walk(`/simulations/${sims[1]}/events`, 50);
    expect(ids).toEqual(await dbOrder('simulation_id = $1', [sims[1]]));
    expect((await get(`/simulations/${sims[1]}/events?after=${cursor}`)).body.items).toEqual([]);
    await post(`/simulations/${sims[1]}/cancel`, {});
    const next = await eventually(async () => {
      const r = await get(`/simulations/${sims[1]}/events?after=${cursor}`);
      return r.body.items.length ? r.body.items : undefined;
    }, 10_000, 'the cancel');
    expect([...ids, ...next.map((e: any) => e.eventId)]).toEqual((await dbOrder('simulation_id = $1', [sims[1]])).slice(0, ids.length + next.length));
  });

  it('pages the global log (admin) and never skips an event that commits late', async () => {
    const { ids, cursor } = await walk('/events', 3);
    expect(ids).toEqual(await dbOrder());

    // A transaction takes a position and stays open while the API appends a later one.
    const original = (await db.pool.query(`SELECT data FROM events WHERE type = 'ProjectCreated' LIMIT 1`)).rows[0].data;
    const tx = await db.pool.connect();
    let late: string;
    try {
      await tx.query('BEGIN');
      late = (await store.append(`late-${randomUUID()}`, [{ type: 'ProjectCreated', data: { ...original, projectId: randomUUID() } }], {}, tx)).events[0].id;
      const later = (await post('/projects', aProjectBody({ name: 'later' }))).body.projectId;
      const whileOpen = await get(`/events?after=${cursor}&limit=100`);
      expect(whileOpen.body.items).toEqual([]); // the later commit waits for the open one
      await tx.query('COMMIT');
      const rest = await walk('/events', 100, whileOpen.body.nextCursor);
      expect(rest.ids.slice(0, 2)).toEqual([late, (await db.pool.query(`SELECT event_id FROM events WHERE stream_id = $1`, [`project-${later}`])).rows[0].event_id]);
      expect([...ids, ...rest.ids]).toEqual(await dbOrder());
    } finally {
      tx.release();
    }
  });

  it('refuses malformed and out-of-range cursors naming after, and bad limits naming limit', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const path of [`/simulations/${sims[0]}/events`, '/events']) {
      for (const [query, field] of [
        ['after=nope', 'after'],
        [`after=${encodeURIComponent("1' OR '1'='1")}`, 'after'],
        [`after=${b64('e1:-5:0')}`, 'after'],
        [`after=${b64('e1:99999999999999999999:0')}`, 'after'],
        [`after=${b64('e1:9223372036854775000:0')}`, 'after'], // beyond the end of the log
        [`after=${b64('e1:1:99999999999999999')}`, 'after'],
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
        ['limit=ten', 'limit'],
        ['from=3', 'from'],
      ] as const) {
        const r = await get(`${path}?${query}`);
        expect({ path, query, status: r.status, error: r.body.error }).toMatchObject({ path, query, status: 400, error: { code: 'VALIDATION_FAILED', field } });
      }
    }
    expect((await get(`/simulations/${randomUUID()}/events`)).body.error.code).toBe('SIMULATION_NOT_FOUND');
    expect((await get(`/simulations/x'--/events`)).body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'id' });
  });

  it('gives the global log to admin keys only', async () => {
    const read = (await post('/api-keys', { name: 'r', scopes: ['read', 'write'] })).body.key;
    expect((await get('/events', read)).body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: 'admin' } });
    expect((await get(`/simulations/${sims[0]}/events`, read)).status).toBe(200);
    const admin = (await post('/api-keys', { name: 'a', scopes: ['admin'] })).body.key;
    expect((await get('/events?limit=1', admin)).status).toBe(200);
  });
});
