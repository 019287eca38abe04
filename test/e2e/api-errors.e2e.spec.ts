import { randomUUID } from 'node:crypto';
import { aProjectBody, createTestDatabase, RunningService, startService, TestDatabase } from '@swe-sim/testing';

/** Issue 6: one error body for every HTTP error, and hostile input refused with it. */
describe('project-management API errors', () => {
  let db: TestDatabase;
  let pm: RunningService;
  const json = { 'content-type': 'application/json' };
  const call = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(`${pm.url}${path}`, init);
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const post = (path: string, body: unknown) => call(path, { method: 'POST', headers: json, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const eventCount = async () => (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;

  beforeAll(async () => {
    db = await createTestDatabase();
    pm = await startService('project-management', { DATABASE_URL: db.url, HTTP_BODY_LIMIT_BYTES: String(64 * 1024) });
  });
  afterAll(async () => {
    await pm?.kill();
    await db?.drop();
  });

  it('is open without SWE_SIM_API_KEY and no key, and says so loudly at start-up', async () => {
    expect(pm.output()).toContain('AUTHENTICATION IS OFF');
    expect((await call(`/projects/${randomUUID()}`)).status).toBe(404);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    for (const body of ['{"name":', '{name: 1}', "{'a':1}", '{"a":1}}', '\u0000']) {
      const r = await post('/projects', body);
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'MALFORMED_JSON', message: expect.any(String) } } });
    }
    // JSON that is not an object or array (body-parser's strict mode) is malformed too.
    expect((await post('/projects', '"a string"')).body.error.code).toBe('MALFORMED_JSON');
  });

  it('answers wrong types, unknown fields and missing bodies with 400 VALIDATION_FAILED naming the field', async () => {
    const before = await eventCount();
    const valid = aProjectBody();
    for (const [body, field] of [
      [{ ...valid, name: 42 }, 'name'],
      [{ ...valid, goals: 'one goal' }, 'goals'],
      [{ ...valid, acceptance: { ...valid.acceptance, files: 'x' } }, 'acceptance.files'],
      [{ ...valid, __proto__x: 1 }, '__proto__x'],
      [{ ...valid, acceptance: { ...valid.acceptance, extra: true } }, 'acceptance.extra'],
      [[], '(body)'],
    ] as const) {
      const r = await post('/projects', body);
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field } } });
      expect(Object.keys(r.body)).toEqual(['error']);
    }
    // No JSON content type: no body at all.
    const plain = await call('/projects', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(valid) });
    expect(plain).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: '(body)' } } });
    expect(await eventCount()).toBe(before);
  });

  it('refuses a body over HTTP_BODY_LIMIT_BYTES with 413 REQUEST_TOO_LARGE', async () => {
    const r = await post('/projects', aProjectBody({ description: 'x'.repeat(70 * 1024) }));
    expect(r).toMatchObject({ status: 413, body: { error: { code: 'REQUEST_TOO_LARGE' } } });
  });

  it('names bad ids, answers 404 with stable codes and ROUTE_NOT_FOUND for unknown routes', async () => {
    for (const id of ["1' OR '1'='1", '1;DROP TABLE events;--', '$(rm -rf /)', '`id`', '%00', '😀', 'ｐｒｏｊｅｃｔ', 'a'.repeat(5000)]) {
      const r = await call(`/projects/${encodeURIComponent(id)}`);
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'id' } } });
    }
    expect((await call(`/simulations/${encodeURIComponent("'; SELECT pg_sleep(5);--")}`)).body.error.field).toBe('id');
    expect((await post(`/projects/not-a-uuid/simulations`, {})).body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'projectId' });
    const missing = randomUUID();
    expect(await call(`/projects/${missing}`)).toMatchObject({ status: 404, body: { error: { code: 'PROJECT_NOT_FOUND', message: expect.stringContaining(missing) } } });
    expect(await call(`/simulations/${missing}`)).toMatchObject({ status: 404, body: { error: { code: 'SIMULATION_NOT_FOUND' } } });
    expect(await post(`/simulations/${missing}/cancel`, {})).toMatchObject({ status: 404, body: { error: { code: 'SIMULATION_NOT_FOUND' } } });
    expect(await post(`/projects/${missing}/simulations`, {})).toMatchObject({ status: 404, body: { error: { code: 'PROJECT_NOT_FOUND' } } });
    expect(await call('/nowhere')).toMatchObject({ status: 404, body: { error: { code: 'ROUTE_NOT_FOUND' } } });
    expect(await call('/projects', { method: 'DELETE' })).toMatchObject({ status: 404, body: { error: { code: 'ROUTE_NOT_FOUND' } } });
    expect((await call('/%E0%A4%A')).body.error.code).toMatch(/BAD_REQUEST|ROUTE_NOT_FOUND/);
  });

  it('refuses a query string on a route that takes none, naming the parameter, as routes with one refuse unknown parameters', async () => {
    const missing = randomUUID();
    expect(await call(`/projects/${missing}?at=5`)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'at' } } });
    expect(await call(`/roster?verbose=1`)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'verbose' } } });
    expect(await post(`/projects?dryRun=true`, aProjectBody())).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'dryRun' } } });
    expect(await call(`/projects?colour=red`)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'colour' } } });
    expect((await call(`/projects?limit=1`)).status).toBe(200);
    expect((await call(`/projects/${missing}`)).status).toBe(404);
  });

  it('stores SQL and shell metacharacters and odd unicode in strings as given', async () => {
    const odd = "Robert'); DROP TABLE pm_projects;-- $(reboot) `id` | && \u202Eevil\u200B 𝔘𝔫𝔦 ﷽ \uFFFD é";
    const r = await post('/projects', aProjectBody({ name: odd, goals: [odd] }));
    expect(r.status).toBe(201);
    const { projectId } = r.body;
    const deadline = Date.now() + 10_000;
    let got: any;
    while (Date.now() < deadline && !(got = (await call(`/projects/${projectId}`)).body)?.name) await new Promise((res) => setTimeout(res, 100));
    expect(got).toMatchObject({ name: odd, goals: [odd] });
    // NUL and a lone surrogate are valid JSON but not storable text: refused naming the field, not a 500.
    const before = await eventCount();
    const body = JSON.stringify(aProjectBody({ goals: ['ok', 'GOAL'] }));
    for (const bad of ['\\u0000', '\\ud800', 'a\\udfff']) {
      const r2 = await post('/projects', body.replace('GOAL', bad));
      expect(r2).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'goals.1' } } });
    }
    expect(await eventCount()).toBe(before);
  });
});
