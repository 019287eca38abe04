import { aProjectBody, createTestDatabase, eventually, RunningService, startProcess, startService, TestDatabase } from '@swe-sim/testing';

/** The wiring across processes: project-management emits, team-formation reacts, project-management projects it. */
describe('project-management → team-formation through the event store', () => {
  let db: TestDatabase;
  let pm: RunningService;
  let tf: RunningService;

  beforeAll(async () => {
    db = await createTestDatabase();
    [pm, tf] = await Promise.all([
      startService('project-management', { DATABASE_URL: db.url, SUBSCRIPTION_POLL_MS: '5000' }),
      startService('team-formation', { DATABASE_URL: db.url, SUBSCRIPTION_POLL_MS: '5000' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([pm?.kill(), tf?.kill()]);
    await db?.drop();
  });

  it('assesses a new project in team-formation and shows the result in project-management', async () => {
    const res = await fetch(`${pm.url}/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        aProjectBody({
          name: 'lru-cache',
          description: 'An LRU cache behind an HTTP API',
          goals: ['O(1) get'],
          stack: 'node',
          backlog: aProjectBody().backlog.map((b, i) => ({ ...b, skills: [i ? 'testing' : 'typescript'] })),
        }),
      ),
    });
    expect(res.status).toBe(201);
    const { projectId } = (await res.json()) as { projectId: string };

    // Polling of 5 s is the fallback: a reaction well within it shows NOTIFY woke the subscribers.
    const started = Date.now();
    const project = await eventually(async () => {
      const r = await fetch(`${pm.url}/projects/${projectId}`);
      const body: any = r.ok ? await r.json() : undefined;
      return body?.requiredSkills ? body : undefined;
    }, 4000);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(project.requiredSkills.map((s: { skill: string }) => s.skill)).toEqual(['typescript', 'testing', 'backend', 'algorithms']);

    const events = await db.pool.query(
      `SELECT type, metadata FROM events WHERE stream_id IN ($1, $2) ORDER BY global_position`,
      [`project-${projectId}`, `staffing-${projectId}`],
    );
    expect(events.rows.map((r) => r.type)).toEqual(['ProjectCreated', 'ProjectStaffingAssessed']);
    const [created, assessed] = events.rows.map((r) => r.metadata);
    expect(assessed.actor).toBe('team-formation');
    expect(assessed.correlationId).toBe(created.correlationId);

    const health = await (await fetch(`${tf.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', database: 'up', lag: 0, deadLetters: 0, subscription: { active: true } });
  });

  it('refuses an invalid project with a 400 naming the field, and writes nothing', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    const valid = aProjectBody();
    const { name: _name, ...withoutName } = valid;
    for (const [body, field] of [
      [{ ...valid, stack: 'cobol' }, 'stack'],
      [withoutName, 'name'],
      [{ ...valid, admin: true }, 'admin'],
      [{ ...valid, acceptance: { ...valid.acceptance, files: [{ path: '../../etc/passwd', content: 'x' }] } }, 'acceptance.files.0.path'],
      [{ ...valid, backlog: [valid.backlog[0], valid.backlog[0]] }, 'backlog'],
      [{ ...valid, backlog: [] }, 'backlog'],
    ] as const) {
      const r = await fetch(`${pm.url}/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field } });
    }
    const malformed = await fetch(`${pm.url}/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(malformed.status).toBe(400);
    const r = await fetch(`${pm.url}/projects/not-a-uuid`);
    expect(r.status).toBe(400);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(before);
  });

  it('refuses to start on invalid configuration, naming each bad variable', async () => {
    const missing = startProcess('apps/team-formation/src/main.js', { DATABASE_URL: '' , PORT: 'abc' });
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toContain('DATABASE_URL');
    expect(missing.output()).toContain('PORT');
    const wrong = startProcess('apps/team-formation/src/main.js', { DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(wrong.output()).toContain('LOG_LEVEL');
  });
});
