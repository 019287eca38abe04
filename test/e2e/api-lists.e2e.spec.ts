import { randomUUID } from 'node:crypto';
import { aProjectBody, createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';

/** Issue 6: GET /projects and GET /simulations page with opaque cursors, without gaps or repeats. */
describe('project-management lists', () => {
  let db: TestDatabase;
  let pm: RunningService;
  const BOOT = `boot-${randomUUID()}`;
  const auth = { authorization: `Bearer ${BOOT}`, 'content-type': 'application/json' };
  const get = async (path: string) => {
    const r = await fetch(`${pm.url}${path}`, { headers: auth });
    return { status: r.status, body: (await r.json()) as any };
  };
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${pm.url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  /** Every page of a list, checking each page's shape. */
  const walk = async (path: string, limit: number, between?: () => Promise<void>) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const sep = path.includes('?') ? '&' : '?';
      const r = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['items', 'nextCursor']);
      expect(r.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...r.body.items.map((i: any) => (path.startsWith('/simulations') ? i.simulationId : i.projectId)));
      cursor = r.body.nextCursor;
      if (!cursor) return seen;
      await between?.();
    }
    throw new Error('too many pages');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pm = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOT, API_RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    await pm?.kill();
    await db?.drop();
  });

  it('pages projects newest first without gaps or repeats, even while projects are added', async () => {
    const created: string[] = [];
    for (let i = 0; i < 23; i++) created.push((await post('/projects', aProjectBody({ name: `p${i}` }))).body.projectId);
    await eventually(async () => (await db.pool.query('SELECT count(*)::int AS n FROM pm_projects')).rows[0].n === 23, 10_000, 'projected');
    // Newest first; projects made in the same millisecond by id (the order the database gives).
    const order = (await db.pool.query('SELECT project_id FROM pm_projects ORDER BY created_at DESC, project_id DESC')).rows.map((r) => r.project_id);
    expect([...order].sort()).toEqual([...created].sort());
    const all = await walk('/projects', 5);
    expect(all).toEqual(order);
    const first = await get('/projects?limit=2');
    expect(first.body.items[0]).toEqual({ projectId: order[0], name: expect.stringMatching(/^p\d+$/), stack: 'python', backlogSource: 'user', backlogStatus: 'ready', createdAt: expect.any(String) });

    // Projects added between pages come before the cursor: later pages neither skip nor repeat.
    let added = 0;
    const during = await walk('/projects', 4, async () => {
      await post('/projects', aProjectBody({ name: `late${added++}` }));
    });
    expect(during).toEqual(order);
    await eventually(async () => (await db.pool.query('SELECT count(*)::int AS n FROM pm_projects')).rows[0].n === 23 + added, 10_000, 'late ones projected');
    expect(await walk('/projects', 100)).toHaveLength(23 + added);
  });

  it('pages simulations with ties on the start time broken by id, and filters by project', async () => {
    const projectId = (await post('/projects', aProjectBody())).body.projectId;
    await eventually(async () => (await get(`/projects/${projectId}`)).status === 200, 10_000, 'project');
    const started: string[] = [];
    for (let i = 0; i < 4; i++) started.push((await post(`/projects/${projectId}/simulations`, { seed: i })).body.simulationId);
    await eventually(async () => (await db.pool.query('SELECT count(*)::int AS n FROM pm_simulations')).rows[0].n === 4, 10_000, 'simulations');
    // Rows of another project, all started at the same instant (the read model is ours to seed).
    const other = randomUUID();
    const tied = Array.from({ length: 9 }, () => randomUUID());
    for (const id of tied) {
      await db.pool.query(
        `INSERT INTO pm_simulations (simulation_id, project_id, status, process, started_at, updated_at, last_position) VALUES ($1, $2, 'completed', '{}', '2026-01-01T00:00:00.123456Z', now(), 0)`,
        [id, other],
      );
    }
    const ours = (await db.pool.query('SELECT simulation_id FROM pm_simulations WHERE project_id = $1 ORDER BY started_at DESC, simulation_id DESC', [projectId])).rows.map((r) => r.simulation_id);
    expect([...ours].sort()).toEqual([...started].sort());
    const all = await walk('/simulations', 3);
    expect(all).toEqual([...ours, ...[...tied].sort().reverse()]);
    expect(await walk(`/simulations?projectId=${other}`, 2)).toEqual([...tied].sort().reverse());
    expect(await walk(`/simulations?projectId=${projectId}`, 10)).toEqual(ours);
    const one = await get(`/simulations?projectId=${projectId}&limit=1`);
    expect(one.body.items[0]).toEqual({ simulationId: ours[0], projectId, status: expect.any(String), startedAt: expect.any(String), updatedAt: expect.any(String) });
  });

  it('refuses bad limits, cursors and parameters naming them', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['cursor=garbage!', 'cursor'],
      [`cursor=${encodeURIComponent("' OR 1=1;--")}`, 'cursor'],
      [`cursor=${b64('{"at":"2026-02-30T00:00:00.000000Z","id":"' + randomUUID() + '"}')}`, 'cursor'],
      [`cursor=${b64('{"at":"x; DROP TABLE pm_projects","id":"1"}')}`, 'cursor'],
      ['offset=10', 'offset'],
    ] as const) {
      for (const path of ['/projects', '/simulations']) {
        const r = await get(`${path}?${query}`);
        expect({ path, query, status: r.status, error: r.body.error }).toMatchObject({ path, query, status: 400, error: { code: 'VALIDATION_FAILED', field } });
      }
    }
    expect((await get('/simulations?projectId=nope')).body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'projectId' });
    // A cursor from far in the past or future is a valid position: an empty or full page, not an error.
    expect((await get(`/projects?cursor=${b64(`{"at":"1970-01-01T00:00:00.000000Z","id":"${randomUUID()}"}`)}`)).body).toEqual({ items: [], nextCursor: null });
  });

  it('needs the read scope', async () => {
    expect((await fetch(`${pm.url}/projects`)).status).toBe(401);
    const write = (await post('/api-keys', { name: 'w', scopes: ['write'] })).body.key;
    expect((await fetch(`${pm.url}/simulations`, { headers: { authorization: `Bearer ${write}` } })).status).toBe(403);
  });
});
