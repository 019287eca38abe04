import { loadExample } from '../../examples/load-example';
import { SimulationStack, finished, startSimulationStack } from '../support/simulation-stack';

/**
 * The scale the product exists for: dozens of simulations started at once, on the default
 * settings (pool sizes, request concurrency). Before the repository locks left the pool, twenty
 * simulations setting up at once held every pooled connection under a blocking advisory lock and
 * nothing moved again. Every one must complete with all its features done, and the services
 * together must stay inside their documented Postgres connection budget.
 */
const SIMULATIONS = Number(process.env.SCALE_SIMULATIONS ?? 50);

describe(`${SIMULATIONS} simulations started at once`, () => {
  const example = loadExample('text-utils');
  let stack: SimulationStack;

  beforeAll(async () => {
    stack = await startSimulationStack(example.scriptPath);
  });
  afterAll(() => stack?.stop());

  it('all complete with every feature done, within the connection budget', async () => {
    const project = await stack.post('/projects', example.body);
    expect(project.status).toBe(201);
    const started = await Promise.all(
      Array.from({ length: SIMULATIONS }, (_, i) => stack.post(`/projects/${project.body.projectId}/simulations`, { seed: 1000 + i, teams: 1, teamSize: 3 })),
    );
    expect(started.map((s) => s.status)).toEqual(started.map(() => 201));

    let peakConnections = 0;
    const sampler = setInterval(() => {
      void stack.db.pool
        .query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()')
        .then((r) => (peakConnections = Math.max(peakConnections, r.rows[0].n)))
        .catch(() => undefined);
    }, 500);
    try {
      const sims = await Promise.all(started.map((s) => stack.waitFor(s.body.simulationId, finished, 12 * 60_000)));
      const features = example.body.backlog.length;
      const summary = sims.map((s) => `${s.status}:${s.metrics?.featuresDone ?? '?'}`);
      expect(summary).toEqual(sims.map(() => `completed:${features}`));
    } finally {
      clearInterval(sampler);
    }
    // README "Postgres connections": each service's pool (10) + its own LISTEN, subscription and lock
    // connections; the test's own pool counts here too.
    expect(peakConnections).toBeLessThanOrEqual(80);
  }, 15 * 60_000);
});
