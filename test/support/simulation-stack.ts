import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
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
  testInstanceId,
} from '@swe-sim/testing';
import { reapOrphanedTestSandboxes } from './orphaned-test-sandboxes';

/** Two features, each with its own module and test file, so they merge without conflict. */
export const twoModuleProject = () =>
  aProjectBody({
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

export interface SimulationStack {
  db: TestDatabase;
  pm: RunningService;
  services: RunningService[];
  /** The services' environment (database, LLM simulator, workspaces): to start one more service later. */
  env: Record<string, string>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  events(simulationId: string): Promise<{ type: string; data: any }[]>;
  /** Waits until GET /simulations/:id satisfies `done`; on time-out the error lists the events and the services' last output. */
  waitFor(simulationId: string, done: (sim: any) => boolean, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

/**
 * The services as separate processes against a fresh database, with the LLM simulator (a
 * process too) running `script` (a file of test/fixtures/scripts, or an absolute path).
 */
export async function startSimulationStack(
  script: string,
  options: { services?: string[]; env?: Record<string, string> } = {},
): Promise<SimulationStack> {
  const names = options.services ?? ['project-management', 'team-formation', 'agent-execution', 'sandbox-control'];
  await reapOrphanedTestSandboxes();
  const db = await createTestDatabase();
  const workspaces = mkdtempSync(join(tmpdir(), 'swe-sim-e2e-'));
  const llmPort = await freePort();
  const llm: RunningProcess = startProcess('apps/llm-simulator/src/main.js', {
    LLM_SIM_PORT: String(llmPort),
    LLM_SIM_SCRIPT: isAbsolute(script) ? script : join(REPO_ROOT, 'test/fixtures/scripts', script),
    LLM_SIM_TIME_SCALE: '0.01',
    LLM_MODEL: 'sim-model',
  });
  await eventually(() => fetch(`http://127.0.0.1:${llmPort}/health`).then((r) => r.ok), 30_000, 'simulator up');
  const env = {
    DATABASE_URL: db.url,
    LLM_BASE_URL: `http://127.0.0.1:${llmPort}/v1`,
    LLM_MODEL: 'sim-model',
    SANDBOX_WORKSPACE_ROOT: workspaces,
    SANDBOX_INSTANCE_ID: testInstanceId('stack'),
    ...options.env,
  };
  const services = await Promise.all(names.map((s) => startService(s, env)));
  const pm = services[names.indexOf('project-management')];
  const events = async (simulationId: string) =>
    (await db.pool.query('SELECT type, data FROM events WHERE simulation_id = $1 ORDER BY global_position', [simulationId])).rows;
  return {
    db,
    pm,
    services,
    env,
    events,
    async post(path, body) {
      const r = await fetch(`${pm.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as any };
    },
    waitFor(simulationId, done, timeoutMs = 90_000) {
      return eventually(
        async () => {
          const r = await fetch(`${pm.url}/simulations/${simulationId}`);
          const body: any = r.ok ? await r.json() : undefined;
          return body && done(body) ? body : undefined;
        },
        timeoutMs,
        'simulation state',
      ).catch(async (err) => {
        const seen = (await events(simulationId)).map((e) => e.type);
        throw new Error(`${err.message}\nevents: ${seen.join(', ')}\n${services.map((s) => s.output().slice(-2500)).join('\n---\n')}`);
      });
    },
    async stop() {
      await Promise.all(services.map((s) => s.kill()));
      await llm.kill();
      await db.drop();
      rmSync(workspaces, { recursive: true, force: true });
    },
  };
}

export const finished = (sim: { status: string }) => sim.status === 'completed' || sim.status === 'failed';

/**
 * The simulation of simulation-complete.json's script to its end (a pair, a solo engineer,
 * reviews, two features merged): what tests that need a finished history start from.
 */
export async function aCompletedSimulation(stack: SimulationStack): Promise<string> {
  const created = await stack.post('/projects', twoModuleProject());
  const started = await stack.post(`/projects/${created.body.projectId}/simulations`, {
    seed: 11,
    teams: 1,
    teamSize: 3,
    process: { pairing: true, review: true, swapEveryTurns: 2 },
  });
  const sim = await stack.waitFor(started.body.simulationId, finished);
  if (sim.status !== 'completed') throw new Error(`the simulation ended ${sim.status}`);
  return started.body.simulationId;
}
