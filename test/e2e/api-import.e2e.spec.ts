import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT, eventually } from '@swe-sim/testing';
import { bundleLines, sealBundle, threeOfOneStream } from '../support/bundles';
import { SimulationStack, finished, startSimulationStack } from '../support/simulation-stack';
import { loadExample } from '../../examples/load-example';

/**
 * Issue 16: POST /simulations/import makes a bundle of another installation (the corpus's, recorded
 * elsewhere) a simulation of this one — checked whole first, written once, reacted to by no
 * service — and it then exports byte for byte as it came, replays identically and forks.
 */
describe('importing a simulation', () => {
  const CORPUS = join(REPO_ROOT, 'test/fixtures/corpus');
  const file = (name: string) => readFileSync(join(CORPUS, `${name}.bundle.ndjson.gz`));
  const header = (name: string) => JSON.parse(bundleLines(join(CORPUS, `${name}.bundle.ndjson.gz`))[0]);
  let stack: SimulationStack;
  /** Events a fresh installation has before any import. */
  let baseline: number;

  const post = async (body: Buffer | string, type = 'application/x-ndjson') => {
    const r = await fetch(`${stack.pm.url}/simulations/import`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: r.status, body: (await r.json()) as any };
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await stack.db.pool.query(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);
  const llmRequests = async () => Number(/^llm_sim_requests_total (\d+)/m.exec(await (await fetch(`${stack.env.LLM_BASE_URL.replace(/\/v1$/, '')}/metrics`)).text())![1]);

  beforeAll(async () => {
    // The fork of an import goes on live from its cut: the text-utils example's script answers it.
    stack = await startSimulationStack(loadExample('text-utils').scriptPath, { env: { IMPORT_BODY_LIMIT_BYTES: String(8 * 1024 * 1024) } });
    baseline = await count('events');
  });
  afterAll(() => stack?.stop());

  it('refuses a tampered or unreadable bundle, naming the problem and its line, and writes nothing', async () => {
    const blobsBefore = await count('blobs');
    const lines = bundleLines(join(CORPUS, 'text-utils.bundle.ndjson.gz'));
    const parsed = lines.map((l) => JSON.parse(l));
    const firstBlob = parsed.findIndex((v) => v.kind === 'blob');
    const [, a, b] = threeOfOneStream(lines);
    const swapped = lines.map((l, i) => (i === a ? lines[b] : i === b ? lines[a] : l));
    const cases: [string, Buffer | string, number, Record<string, unknown>][] = [
      ['a broken line', sealBundle(lines.map((l, i) => (i === 4 ? l.slice(0, 40) : l))), 400, { problem: 'NOT_JSON', line: 5 }],
      ['a missing blob', gzipSync(sealBundle(lines.filter((_, i) => i !== firstBlob))), 400, { problem: 'BLOB_MISSING' }],
      ['events out of order', sealBundle(swapped), 400, { problem: 'OUT_OF_ORDER', line: b + 1 }],
      ['an unknown event type', sealBundle(lines.map((l, i) => (i === a ? l.replace(/"type":"[A-Za-z]+"/, '"type":"Unheard"') : l))), 400, { problem: 'UNKNOWN_EVENT_TYPE', line: a + 1 }],
      ['an unknown event version', sealBundle(lines.map((l, i) => (i === a ? l.replace(/"schemaVersion":\d+/, '"schemaVersion":42') : l))), 400, { problem: 'UNKNOWN_EVENT_VERSION', line: a + 1 }],
      ['a changed byte', lines.map((l, i) => `${i === 9 ? l.replace('"actor":"', '"actor":"z') : l}\n`).join(''), 400, { problem: 'HASH_MISMATCH', line: lines.length }],
      ['a cut-off body', lines.slice(0, 200).join('\n'), 400, { problem: 'END_MISSING', line: 201 }],
      ['a broken gzip', Buffer.concat([gzipSync(lines.join('\n')).subarray(0, 300), Buffer.alloc(300, 7)]), 400, { problem: 'NOT_GZIP' }],
      ['a gzip bomb over IMPORT_BODY_LIMIT_BYTES', gzipSync(Buffer.alloc(9 * 1024 * 1024, 32)), 413, { code: 'BUNDLE_TOO_LARGE' }],
    ];
    for (const [what, body, status, expected] of cases) {
      const r = await post(body);
      const { code, details } = r.body.error;
      expect({ what, status: r.status, ...(status === 400 ? { code, ...details } : { code }) }).toEqual({ what, status, ...(status === 400 ? { code: 'BUNDLE_INVALID', line: expect.any(Number) } : {}), ...expected });
    }
    expect((await post('{"a":1}', 'application/json')).status).toBe(415);
    expect((await post('hello', 'text/plain')).body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // A fork whose original is not here.
    expect(await post(file('text-utils-fork'), 'application/gzip')).toMatchObject({ status: 409, body: { error: { code: 'ORIGIN_MISSING' } } });
    expect(await count('events')).toBe(baseline);
    expect(await count('pm_projects')).toBe(0);
    expect(await count('pm_simulations')).toBe(0);
    expect(await count('blobs')).toBe(blobsBefore);
  });

  it('imports a bundle that no service then reacts to, and exports it byte for byte as it came', async () => {
    const { simulationId, projectId } = header('text-utils');
    const lines = bundleLines(join(CORPUS, 'text-utils.bundle.ndjson.gz'));
    const end = JSON.parse(lines[lines.length - 1]);
    const r = await post(file('text-utils'), 'application/gzip');
    expect(r).toEqual({ status: 201, body: { imported: true, simulationId, projectId, events: end.events, blobs: end.blobs, projectImported: true } });

    // Every service reads past the import, and none of them does anything: no event, no LLM call, no dead letter.
    const lags = async () => Promise.all(stack.services.map(async (s) => ((await (await fetch(`${s.url}/health`)).json()) as any).lag));
    await eventually(async () => (await lags()).every((lag) => lag === 0), 20_000, 'every service past the import');
    expect(await count('events')).toBe(baseline + end.events.project + end.events.simulation + 1);
    expect(await count(`events WHERE metadata ? 'importedFrom'`)).toBe(end.events.project + end.events.simulation);
    expect(await count('subscription_dead_letters')).toBe(0);
    expect(await llmRequests()).toBe(0);

    // Read like a local one: its project, its state and metrics from its own history.
    const sim: any = await (await fetch(`${stack.pm.url}/simulations/${simulationId}`)).json();
    const completed = lines.map((l) => JSON.parse(l)).find((v) => v.type === 'SimulationCompleted');
    expect(sim).toMatchObject({ simulationId, projectId, status: 'completed', metrics: { featuresDone: completed.data.metrics.featuresDone, acceptanceTestsPassed: completed.data.metrics.acceptanceTestsPassed } });
    const project: any = await (await fetch(`${stack.pm.url}/projects/${projectId}`)).json();
    expect(project).toMatchObject({ projectId, backlogSource: 'user', backlogStatus: 'ready' }); // ProjectCreated v1, upcast

    const plain = Buffer.from(await (await fetch(`${stack.pm.url}/simulations/${simulationId}/export?format=bundle`)).arrayBuffer());
    expect(plain.toString('utf8')).toBe(`${lines.join('\n')}\n`);
    const gzipped = await fetch(`${stack.pm.url}/simulations/${simulationId}/export?format=bundle&gzip=true`);
    expect(gzipped.headers.get('content-type')).toBe('application/gzip');
    expect(Buffer.from(await gzipped.arrayBuffer()).equals(file('text-utils'))).toBe(true);
  });

  it('imports the same bundle again as a no-op, and one of two concurrent imports', async () => {
    const again = await post(file('text-utils'), 'application/gzip');
    expect(again).toMatchObject({ status: 200, body: { imported: false, simulationId: header('text-utils').simulationId } });
    const before = await count('events');
    const [a, b] = await Promise.all([post(file('lru-cache'), 'application/gzip'), post(file('lru-cache'), 'application/gzip')]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect([a.body.imported, b.body.imported].sort()).toEqual([false, true]);
    expect(await count('events')).toBe(before + a.body.events.project + a.body.events.simulation + 1);
    expect(await count(`events WHERE type = 'SimulationImported'`)).toBe(2);
  });

  it('replays an import identically, imports a fork of it, and forks it live to completion', async () => {
    const { simulationId } = header('text-utils');
    const replay = await stack.post(`/simulations/${simulationId}/replay`, { waitMs: 60_000 });
    expect(replay).toMatchObject({ status: 200, body: { status: 'compared', identical: true, firstDivergence: null } });
    expect(replay.body.compared.events).toBeGreaterThan(50);

    // The fork's cut was counted in the bundle; here it is the position of the same event.
    const fork = header('text-utils-fork');
    expect(await post(file('text-utils-fork'), 'application/gzip')).toMatchObject({ status: 201, body: { imported: true } });
    const atHere = (await stack.db.pool.query('SELECT global_position::int AS p FROM events WHERE simulation_id = $1 ORDER BY global_position OFFSET $2 LIMIT 1', [simulationId, fork.origin.atEvent - 1])).rows[0].p;
    const imported: any = await (await fetch(`${stack.pm.url}/simulations/${fork.simulationId}`)).json();
    expect(imported.forkOf).toEqual({ simulationId, atPosition: atHere });

    const events = (await stack.db.pool.query(`SELECT global_position::int AS p FROM events WHERE simulation_id = $1 AND type = 'LlmCallCompleted' ORDER BY global_position`, [simulationId])).rows;
    const live = await stack.post(`/simulations/${simulationId}/fork`, { atPosition: events[Math.floor(events.length / 3)].p, overrides: { models: { default: { sampling: { temperature: 0.7 } } } } });
    expect(live.status).toBe(201);
    const done = await stack.waitFor(live.body.simulationId, finished, 90_000);
    expect(done).toMatchObject({ status: 'completed', forkOf: { simulationId } });
    expect(await llmRequests()).toBeGreaterThan(0); // live after its cut
  }, 150_000);
});
