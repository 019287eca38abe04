import { randomUUID } from 'node:crypto';
import { DEFAULT_ROSTER } from '@swe-sim/contracts';
import { aProjectBody, createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';

/** Issue 6: GET /roster and POST /roster; a simulation without a roster of its own staffs from both. */
describe('project-management roster', () => {
  let db: TestDatabase;
  let pm: RunningService;
  const BOOT = `boot-${randomUUID()}`;
  const headers = { authorization: `Bearer ${BOOT}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${pm.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const grace = { personaId: 'grace', name: 'Grace Hopper', role: 'engineer', seniority: 'staff', skills: { python: 5, compilers: 5 }, traits: ['explains by example'] };

  beforeAll(async () => {
    db = await createTestDatabase();
    pm = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOT });
  });
  afterAll(async () => {
    await pm?.kill();
    await db?.drop();
  });

  it('lists the shipped personas, registers new ones once, and refuses bad ones naming the field', async () => {
    const before = await call('GET', '/roster');
    expect(before.status).toBe(200);
    expect(before.body.items.map((p: any) => p.personaId)).toEqual(DEFAULT_ROSTER.map((p) => p.personaId));
    expect(before.body.items.every((p: any) => p.source === 'default')).toBe(true);

    expect((await call('POST', '/roster', grace)).status).toBe(201);
    expect(await call('POST', '/roster', grace)).toMatchObject({ status: 409, body: { error: { code: 'PERSONA_EXISTS' } } });
    expect(await call('POST', '/roster', { ...grace, personaId: DEFAULT_ROSTER[0].personaId })).toMatchObject({ status: 409 });
    expect(await call('POST', '/roster', { ...grace, personaId: 'x2', skills: { python: 9 } })).toMatchObject({ status: 400, body: { error: { field: 'skills.python' } } });
    expect(await call('POST', '/roster', { ...grace, personaId: '../etc' })).toMatchObject({ status: 400, body: { error: { field: 'personaId' } } });
    expect(await call('POST', '/roster', { ...grace, personaId: 'x3', salary: 1 })).toMatchObject({ status: 400, body: { error: { field: 'salary' } } });
    const read = await fetch(`${pm.url}/roster`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(grace) });
    expect(read.status).toBe(401);

    const after = await eventually(async () => {
      const r = await call('GET', '/roster');
      return r.body.items.length === DEFAULT_ROSTER.length + 1 ? r.body : undefined;
    });
    expect(after.items.at(-1)).toMatchObject({ personaId: 'grace', source: 'registered', skills: { compilers: 5 } });

    const project = await call('POST', '/projects', aProjectBody());
    const sim = await call('POST', `/projects/${project.body.projectId}/simulations`, {});
    expect(sim.status).toBe(201);
    // Admitted through the run queue: recorded a moment after the answer.
    const started = await eventually(async () => {
      const r = await db.pool.query(`SELECT data FROM events WHERE type = 'SimulationStarted' AND simulation_id = $1`, [sim.body.simulationId]);
      return r.rows[0];
    }, 10_000, 'simulation started');
    expect(started.data.config.roster.map((p: any) => p.personaId)).toContain('grace');
  });
});
