import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/** A workspace folder as sandbox-control records it: regular files outside VCS and tool caches, with their sha256. */
function diskManifest(root: string): Map<string, string> {
  const skipped = new Set(['.git', 'node_modules', '__pycache__', '.pytest_cache']);
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (skipped.has(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(p, createHash('sha256').update(readFileSync(join(root, p))).digest('hex'));
    }
  };
  walk('');
  return out;
}

/**
 * The product end to end: the four services as processes, real Postgres, real Docker, the LLM
 * simulator. Project → simulation → team formed with reasons → planning poker → a pair builds one
 * feature (its first attempt fails a test, the driver reads the output and fixes it; roles swap),
 * a solo engineer builds the other; both are reviewed, pass their acceptance tests on main in a
 * fresh sandbox, are merged → the simulation completes with metrics.
 */
describe('a simulation from project to passing acceptance tests', () => {
  let stack: SimulationStack;

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
  });
  afterAll(() => stack?.stop());

  it('builds every feature with a pair session and a review, passes the acceptance tests in sandboxes, and completes with metrics', async () => {
    const { post } = stack;
    const created = await post('/projects', twoModuleProject());
    expect(created.status).toBe(201);
    const started = await post(`/projects/${created.body.projectId}/simulations`, {
      seed: 11,
      teams: 1,
      teamSize: 3,
      process: { pairing: true, review: true, swapEveryTurns: 2 },
    });
    expect(started.status).toBe(201);
    const { simulationId } = started.body;

    const sim = await stack.waitFor(simulationId, finished);

    expect(sim.status).toBe('completed');
    expect(sim.metrics).toMatchObject({ featuresTotal: 2, featuresDone: 2, acceptanceTestsTotal: 2, acceptanceTestsPassed: 2 });
    expect(sim.metrics.sprints).toEqual([{ sprint: 1, committedPoints: 6, deliveredPoints: 6 }]);
    expect(sim.metrics.estimation.map((e: any) => e.featureId).sort()).toEqual(['slugify', 'word-count']);
    expect(Object.keys(sim.metrics.tokensByRole).length).toBeGreaterThan(0);

    const all = await stack.events(simulationId);
    const of = (t: string) => all.filter((e) => e.type === t).map((e) => e.data);
    const slugTask = of('AgentTaskStarted').find((t) => t.featureId === 'slugify');
    expect(slugTask.navigator).not.toBeNull(); // built by the pair
    const inTask = (t: string, taskId: string) => of(t).filter((d) => d.taskId === taskId);

    // the first attempt fails its test; the driver reads the output and fixes it
    const testRuns = inTask('ToolCallCompleted', slugTask.taskId).filter((r) => r.name === 'run_tests');
    expect(testRuns.map((r) => r.testsPassed)).toEqual([false, true]);
    expect(testRuns[0].output).toContain('TESTS FAILED');
    // a pair session: both spoke, and they swapped roles
    const speakers = new Set(inTask('AgentTurnTaken', slugTask.taskId).map((t) => `${t.speaker}:${t.role}`));
    expect([...speakers].some((s) => s.endsWith(':navigator'))).toBe(true);
    expect(inTask('PairRolesSwapped', slugTask.taskId)).toHaveLength(1);
    // reviewed, tested on main in a fresh sandbox, merged
    expect(inTask('ReviewRequested', slugTask.taskId)[0].diff).toContain("'-'.join(text.lower().split())");
    expect(inTask('ReviewApproved', slugTask.taskId)).toHaveLength(1);
    expect(of('AcceptanceTestsRun').filter((r) => r.passed)).toHaveLength(2);
    expect(of('BranchMerged')).toHaveLength(2);
    // the second merge re-ran the first feature's tests too (nothing may break)
    expect(of('AcceptanceTestsRun').map((r) => r.tests.length).sort()).toEqual([1, 2]);
    expect(of('FeatureDone').map((d) => d.featureId).sort()).toEqual(['slugify', 'word-count']);
    expect(of('SprintEnded')[0]).toMatchObject({ velocity: 6, carriedOver: [] });
    expect(of('SimulationCompleted')).toHaveLength(1);
    // every LLM call recorded; every sandbox released
    expect(of('LlmCallCompleted').length).toBeGreaterThanOrEqual(of('AgentTurnTaken').length);
    const created2 = all.filter((e) => e.type === 'SandboxCreated').length;
    expect(all.filter((e) => e.type === 'SandboxDestroyed').length).toBe(created2);

    // the simulation at any point of its history, rebuilt from events
    const positions = (await stack.db.pool.query('SELECT global_position, type FROM events WHERE simulation_id = $1 ORDER BY global_position', [simulationId])).rows;
    const at = (type: string) => Number(positions.find((r) => r.type === type).global_position);
    const get = async (q: string) => {
      const r = await fetch(`${stack.pm.url}/simulations/${simulationId}/state${q}`);
      return { status: r.status, body: (await r.json()) as any };
    };
    const sprintStarted = await get(`?at=${at('SprintStarted')}`);
    expect(sprintStarted.status).toBe(200);
    expect(sprintStarted.body).toMatchObject({ status: 'running', position: at('SprintStarted'), sprint: { number: 1 }, tasks: [], metrics: { featuresDone: 0 } });
    expect(Object.keys(sprintStarted.body.sprint.committed).sort()).toEqual(['slugify', 'word-count']);
    expect(sprintStarted.body.backlog.map((b: any) => b.estimate)).toEqual([3, 3]);
    const firstDone = await get(`?at=${at('FeatureDone')}`);
    expect(firstDone.body.metrics.featuresDone).toBe(1);
    expect(firstDone.body.tasks.filter((t: any) => t.status === 'done')).toHaveLength(1);
    const now = await get('');
    expect(now.body).toMatchObject({ status: 'completed', metrics: { featuresDone: 2 } });
    expect(Object.values(now.body.agents).every((a: any) => a.working.length === 0)).toBe(true);
    expect(await get('?at=abc')).toMatchObject({ status: 400, body: { error: { field: 'at' } } });
    expect(await get(`?at=${at('SimulationStarted') - 1}`)).toMatchObject({ status: 400, body: { error: { field: 'at' } } });
    expect((await fetch(`${stack.pm.url}/simulations/00000000-0000-4000-8000-000000000000/state`)).status).toBe(404);

    // the code at any point, rebuilt from events alone, equals what the workspace holds
    const workspace = async (q: string) => {
      const r = await fetch(`${stack.pm.url}/simulations/${simulationId}/workspace${q}`);
      return { status: r.status, body: (await r.json()) as any };
    };
    const final = (await workspace('')).body;
    const recorded = new Map<string, string>(final.files.filter((f: any) => !f.path.split('/').includes('.git')).map((f: any) => [f.path, f.hash]));
    const onDisk = diskManifest(join(stack.env.SANDBOX_WORKSPACE_ROOT, simulationId, 'repo'));
    expect([...recorded.keys()].sort()).toEqual([...onDisk.keys()].sort());
    expect([...recorded].every(([path, hash]) => onDisk.get(path) === hash)).toBe(true);
    expect(final.files.find((f: any) => f.path === 'textutils/slug.py').content).toContain("'-'.join(text.lower().split())");
    const firstMerge = (await workspace(`?at=${at('BranchMerged')}`)).body.files.map((f: any) => f.path);
    expect(firstMerge.filter((p: string) => /^textutils\/(slug|count)\.py$/.test(p))).toHaveLength(1); // main has one feature so far
    const team = now.body.tasks[0].teamId;
    expect((await workspace(`?team=${team}&content=false`)).body.files.length).toBe(final.files.length);
    expect((await workspace('?team=nope')).status).toBe(404);
    expect((await workspace('?content=maybe')).body.error.field).toBe('content');
  });

  it('every service reports its consumer, requests and process at GET /metrics, and its own figures (LLM calls, sandboxes per host)', async () => {
    const scrape = async (url: string) => {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200); // no key needed, like /health
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      return res.text();
    };
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const names = ['project-management', 'team-formation', 'agent-execution', 'sandbox-control'];
    const texts = Object.fromEntries(await Promise.all(stack.services.map(async (s, i) => [names[i], await scrape(s.url)])));
    for (const service of names) {
      const text = texts[service];
      expect(value(text, `swe_sim_subscription_active{service="${service}"}`)).toBe(1);
      expect(value(text, `swe_sim_events_handled_total{service="${service}"}`)).toBeGreaterThan(0); // the simulation above went through it
      expect(value(text, `swe_sim_dead_letters{service="${service}"}`)).toBe(0);
      expect(value(text, `process_resident_memory_bytes{service="${service}"}`)).toBeGreaterThan(10_000_000);
      expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    }
    expect(value(texts['agent-execution'], 'llm_gateway_requests_total{backend="default",outcome="ok"}')).toBeGreaterThan(0);
    // Every sandbox of the finished simulation was released: none held on the one host.
    expect(value(texts['sandbox-control'], 'swe_sim_sandboxes{host="default"}')).toBe(0);
  });

  it('carries work over: one feature per sprint, the teams reviewed between sprints, two sprints to completion', async () => {
    const { post } = stack;
    const created = await post('/projects', twoModuleProject());
    const started = await post(`/projects/${created.body.projectId}/simulations`, {
      seed: 12,
      teams: 1,
      teamSize: 2,
      sprints: { max: 3, capacityPointsPerMember: 1 },
      process: { pairing: false, review: false },
    });
    const { simulationId } = started.body;
    const sim = await stack.waitFor(simulationId, finished);
    expect(sim).toMatchObject({ status: 'completed', metrics: { featuresDone: 2 } });
    expect(sim.metrics.sprints.map((s: any) => [s.sprint, s.committedPoints, s.deliveredPoints])).toEqual([
      [1, 3, 3],
      [2, 3, 3],
    ]);
    const all = await stack.events(simulationId);
    const types = all.map((e) => e.type);
    // sprint 2 is planned only after team-formation reviewed the teams
    expect(types.indexOf('TeamsReviewed')).toBeGreaterThan(types.indexOf('SprintEnded'));
    expect(all.filter((e) => e.type === 'SprintPlanningStarted').map((e) => e.data.candidates[0].featureIds)).toEqual([['slugify', 'word-count'], ['word-count']]);
  });
});
