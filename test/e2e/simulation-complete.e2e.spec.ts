import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO_ROOT,
  RunningProcess,
  RunningService,
  TestDatabase,
  aProjectBody,
  createTestDatabase,
  eventually,
  freePort,
  startProcess,
  startService,
} from '@swe-sim/testing';

/** Two features, each with its own module and test file, so they merge without conflict. */
const project = aProjectBody({
  acceptance: {
    command: 'python3 -m pytest -q -p no:cacheprovider',
    files: [
      { path: 'tests/test_slugify.py', content: 'from textutils.slug import slugify\n\ndef test_slugify():\n    assert slugify("Hello World") == "hello-world"\n' },
      { path: 'tests/test_count.py', content: 'from textutils.count import word_count\n\ndef test_word_count():\n    assert word_count("a b  c") == 3\n' },
    ],
  },
  scaffold: [{ path: 'textutils/__init__.py', content: '' }],
  backlog: [
    { ...aProjectBody().backlog[0], tests: ['tests/test_slugify.py'] },
    { ...aProjectBody().backlog[1], tests: ['tests/test_count.py'] },
  ],
});

/**
 * The product end to end: the four services as processes, real Postgres, real Docker, the LLM
 * simulator. Project → simulation → team formed with reasons → planning poker → a pair builds one
 * feature (its first attempt fails a test, the driver reads the output and fixes it; roles swap),
 * a solo engineer builds the other; both are reviewed, pass their acceptance tests on main in a
 * fresh sandbox, are merged → the simulation completes with metrics.
 */
describe('a simulation from project to passing acceptance tests', () => {
  let db: TestDatabase;
  let llm: RunningProcess;
  let pm: RunningService;
  const services: RunningService[] = [];
  const workspaces = mkdtempSync(join(tmpdir(), 'swe-sim-e2e-'));
  const instance = `e2e-${process.pid}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const llmPort = await freePort();
    llm = startProcess('apps/llm-simulator/src/main.js', {
      LLM_SIM_PORT: String(llmPort),
      LLM_SIM_SCRIPT: join(REPO_ROOT, 'test/fixtures/scripts/simulation-complete.json'),
      LLM_SIM_TIME_SCALE: '0.01',
      LLM_MODEL: 'sim-model',
    });
    await eventually(() => fetch(`http://127.0.0.1:${llmPort}/health`).then((r) => r.ok), 10_000, 'simulator up');
    const env = {
      DATABASE_URL: db.url,
      LLM_BASE_URL: `http://127.0.0.1:${llmPort}/v1`,
      LLM_MODEL: 'sim-model',
      SANDBOX_WORKSPACE_ROOT: workspaces,
      SANDBOX_INSTANCE_ID: instance,
    };
    services.push(
      ...(await Promise.all(['project-management', 'team-formation', 'agent-execution', 'sandbox-control'].map((s) => startService(s, env)))),
    );
    pm = services[0];
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.kill()));
    await llm?.kill();
    await db?.drop();
    rmSync(workspaces, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${pm.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };

  it('builds every feature with a pair session and a review, passes the acceptance tests in sandboxes, and completes with metrics', async () => {
    const created = await post('/projects', project);
    expect(created.status).toBe(201);
    const started = await post(`/projects/${created.body.projectId}/simulations`, {
      seed: 11,
      teams: 1,
      teamSize: 3,
      process: { pairing: true, review: true, swapEveryTurns: 2 },
    });
    expect(started.status).toBe(201);
    const { simulationId } = started.body;

    const events = async () =>
      (await db.pool.query('SELECT type, data FROM events WHERE simulation_id = $1 ORDER BY global_position', [simulationId])).rows as { type: string; data: any }[];
    const sim = await eventually(
      async () => {
        const r = await fetch(`${pm.url}/simulations/${simulationId}`);
        const body: any = r.ok ? await r.json() : undefined;
        return body?.status === 'completed' || body?.status === 'failed' ? body : undefined;
      },
      90_000,
      'simulation finished',
    ).catch(async (err) => {
      const seen = (await events()).map((e) => e.type);
      throw new Error(`${err.message}\nevents: ${seen.join(', ')}\n${services.map((s) => s.output().slice(-2500)).join('\n---\n')}`);
    });

    expect(sim.status).toBe('completed');
    expect(sim.metrics).toMatchObject({ featuresTotal: 2, featuresDone: 2, acceptanceTestsTotal: 2, acceptanceTestsPassed: 2 });
    expect(sim.metrics.sprints).toEqual([{ sprint: 1, committedPoints: 6, deliveredPoints: 6 }]);
    expect(sim.metrics.estimation.map((e: any) => e.featureId).sort()).toEqual(['slugify', 'word-count']);
    expect(Object.keys(sim.metrics.tokensByRole).length).toBeGreaterThan(0);

    const all = await events();
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
  });
});
