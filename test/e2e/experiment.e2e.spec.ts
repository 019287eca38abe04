import { RunningService, eventually, startService } from '@swe-sim/testing';
import { runMetrics } from '../../apps/project-management/src/experiments/run-metrics';
import { compareHistories } from '../../apps/project-management/src/simulations/replay-simulation/history-comparison';
import { SimulationStack, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * Issue 11: experiments through the four services as processes, real Postgres, real Docker and the
 * LLM simulator — one stack for the file. project-management is SIGKILLed mid-experiment.
 */
describe('experiments', () => {
  let stack: SimulationStack;
  let restarted: RunningService | undefined;
  let api: () => string;
  let projectId: string;
  let experimentId: string;
  /** A run whose simulation was running when project-management was killed. */
  let inFlightAtKill: { variant: string; seed: number };

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${api()}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', text, body: (r.headers.get('content-type') ?? '').includes('application/json') && text ? JSON.parse(text) : undefined };
  };
  const post = (path: string, body: unknown = {}) => call('POST', path, body);
  const get = (path: string) => call('GET', path);
  const waitForExperiment = (id: string, done: (e: any) => boolean, timeoutMs = 60_000) =>
    eventually(
      async () => {
        const r = await get(`/experiments/${id}`);
        return r.status === 200 && done(r.body) ? r.body : undefined;
      },
      timeoutMs,
      `experiment ${id}`,
    );
  /** The read model has caught up with the stream (results read it). */
  const settled = (id: string, status: string) =>
    eventually(async () => (await get(`/experiments/${id}/results`)).body?.status === status || undefined, 30_000, `results of ${id} ${status}`);
  const eventsOf = async (streamPrefix: string, type: string) =>
    (await stack.db.pool.query('SELECT data FROM events WHERE stream_id LIKE $1 AND type = $2 ORDER BY global_position', [`${streamPrefix}%`, type])).rows.map((r) => r.data);
  const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

  const variants = [
    { name: 'cold', control: true, overrides: { models: { default: { sampling: { temperature: 0.2 } } } } },
    { name: 'hot', overrides: { models: { default: { sampling: { temperature: 0.9 } } } } },
  ];

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
    api = () => stack.pm.url;
    projectId = (await post('/projects', twoModuleProject())).body.projectId;
  }, 60_000);
  afterAll(async () => {
    await restarted?.kill();
    await stack?.stop();
  });

  it('runs 2 variants × 3 seeds to completion with project-management SIGKILLed mid-way: every run started once, results identical on re-request', async () => {
    const created = await post('/experiments', { name: 'temperature', projects: [projectId], variants, seeds: [1, 2, 3], concurrency: 3 });
    expect(created).toMatchObject({ status: 201, body: { runs: 6 } });
    experimentId = created.body.experimentId;
    // Right away (the fold of its stream, not a lagging read model).
    expect((await get(`/experiments/${experimentId}`)).body).toMatchObject({ status: 'running', progress: { total: 6 } });

    // Mid-experiment: runs started and none all ended.
    const mid = await waitForExperiment(experimentId, (e) => e.progress.running > 0 && e.progress.ended < 6);
    inFlightAtKill = mid.runs.find((r: any) => r.status === 'running');
    await stack.pm.kill('SIGKILL');
    restarted = await startService('project-management', stack.env);
    api = () => restarted!.url;

    const done = await waitForExperiment(experimentId, (e) => e.status === 'completed', 90_000);
    expect(done.progress).toEqual({ total: 6, pending: 0, running: 0, ended: 6, counted: 6 });
    const started = await eventsOf(`experiment-${experimentId}`, 'ExperimentRunStarted');
    expect(started).toHaveLength(6);
    expect(new Set(started.map((s) => s.runId)).size).toBe(6);
    // Each attempt's simulation was queued and started exactly once.
    for (const s of started) {
      expect((await eventsOf(`simulation-queue-${s.simulationId}`, 'SimulationQueued')).length).toBe(1);
      expect((await eventsOf(`simulation-${s.simulationId}`, 'SimulationStarted')).map((e) => e.config.seed)).toEqual([s.seed]);
    }
    const hot = (await eventsOf(`simulation-${started.find((s) => s.variant === 'hot').simulationId}`, 'SimulationStarted'))[0];
    expect(hot.config.models.default.sampling.temperature).toBe(0.9);

    await settled(experimentId, 'completed');
    const results = await get(`/experiments/${experimentId}/results`);
    expect(results.status).toBe(200);
    const r = results.body;
    expect(r).toMatchObject({ control: 'cold', bootstrapSeed: 1, level: 0.95, runs: { total: 6, counted: 6, abandoned: 0 } });
    for (const m of ['featuresDone', 'acceptanceTestsPassed', 'deliveredPoints', 'velocityPerSprint', 'tokensIn', 'tokensOut', 'llmTimeMs', 'wallTimeMs', 'turnsPerFeature', 'tokensPerFeature', 'estimateErrorTurns', 'reviewRounds', 'integrationFailures', 'mergeConflicts', 'tokensPerDoneFeature']) {
      expect(r.metrics).toContain(m);
    }
    const [cold, hotV] = r.variants;
    expect(cold).toMatchObject({ name: 'cold', control: true, n: 3, againstControl: null });
    expect(cold.metrics.featuresDone).toMatchObject({ n: 3, mean: 2, sd: 0, median: 2, min: 2, max: 2, ci: { low: 2, high: 2, level: 0.95 } });
    expect(cold.rates.runsCompleted).toMatchObject({ successes: 3, n: 3, rate: 1 });
    expect(cold.rates.featuresDone).toMatchObject({ successes: 6, n: 6, rate: 1 });
    expect(cold.rates.featuresDone.ci.low).toBeGreaterThan(0.5);
    expect(hotV.againstControl.tokensIn).toMatchObject({ paired: true, n: 3, test: 'wilcoxon-signed-rank', effectSizeKind: 'rank-biserial' });
    expect(hotV.againstControl.tokensIn.pValue).toBeGreaterThanOrEqual(0);
    expect(hotV.againstControl.tokensIn.pValue).toBeLessThanOrEqual(1);
    expect((await get(`/experiments/${experimentId}/results`)).body).toEqual(r);

    // Listed, newest first.
    expect((await get('/experiments?limit=1')).body.items[0]).toMatchObject({ experimentId, status: 'completed' });
  }, 150_000);

  it('gives results as CSV and exports runs and chat examples (filtered) as JSON lines', async () => {
    const csv = await get(`/experiments/${experimentId}/results?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe('variant,control,metric,n,mean,sd,median,min,max,ci_low,ci_high,difference,difference_ci_low,difference_ci_high,paired,test,p_value,effect_size,effect_size_kind');
    expect(rows.find((row) => row.startsWith('cold,true,featuresDone,3,2,0,2,2,2,2,2,'))).toBeDefined();
    expect(rows.find((row) => row.startsWith('hot,false,tokensIn,3,'))).toMatch(/,true,wilcoxon-signed-rank,/);

    const runs = await get(`/experiments/${experimentId}/export?format=runs`);
    expect(runs.type).toContain('application/x-ndjson');
    const runLines = lines(runs.text);
    expect(runLines).toHaveLength(6);
    expect(runLines.every((l) => l.counted && l.metrics.featuresDone === 2)).toBe(true);

    const chat = lines((await get(`/experiments/${experimentId}/export?format=chat&variant=hot&metadata=true`)).text);
    expect(chat.length).toBeGreaterThan(3);
    expect(chat.every((l) => l.metadata.variant === 'hot' && l.messages[l.messages.length - 1].role === 'assistant')).toBe(true);
    const done = lines((await get(`/experiments/${experimentId}/export?format=chat&outcome=done&role=driver&metadata=true`)).text);
    expect(done.length).toBeGreaterThan(0);
    expect(done.every((l) => l.metadata.featureOutcome === 'done' && l.metadata.role === 'driver')).toBe(true);
    const plain = lines((await get(`/experiments/${experimentId}/export?format=chat&variant=cold`)).text);
    expect(plain.every((l) => l.metadata === undefined)).toBe(true);
    expect((await get(`/experiments/${experimentId}/export?format=preferences`)).status).toBe(200);
  }, 60_000);

  it('a run in flight when project-management was killed has the metrics of the same simulation run without a kill', async () => {
    const runs = lines((await get(`/experiments/${experimentId}/export?format=runs`)).text);
    const killed = runs.find((r) => r.variant === inFlightAtKill.variant && r.seed === inFlightAtKill.seed);
    const variant = variants.find((v) => v.name === killed.variant)!;
    const plain = await post(`/projects/${projectId}/simulations`, { seed: killed.seed, ...variant.overrides });
    await eventually(async () => ['completed', 'failed'].includes((await get(`/simulations/${plain.body.simulationId}`)).body?.status) || undefined, 60_000, 'plain run');
    const history = (await stack.db.pool.query('SELECT type, data FROM events WHERE simulation_id = $1 ORDER BY global_position', [plain.body.simulationId])).rows;
    const expected = runMetrics(history);
    // Time is the machine's; everything the agents did is the run's.
    const deterministic = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).filter(([k]) => !/TimeMs$/.test(k)));
    expect(deterministic(killed.metrics)).toEqual(deterministic(expected));
    expect(expected.tokensIn).toBeGreaterThan(0);
  }, 90_000);

  it('extending it with one more seed adds exactly those runs (one per variant), and it completes again', async () => {
    const extended = await post(`/experiments/${experimentId}/extend`, { seeds: [4] });
    expect(extended).toMatchObject({ status: 202, body: { changed: true, runs: 8 } });
    const done = await waitForExperiment(experimentId, (e) => e.status === 'completed' && e.progress.ended === 8, 60_000);
    expect(done.progress).toMatchObject({ total: 8, counted: 8 });
    const started = await eventsOf(`experiment-${experimentId}`, 'ExperimentRunStarted');
    expect(started).toHaveLength(8);
    expect(started.slice(6).map((s) => `${s.variant}/${s.seed}`).sort()).toEqual(['cold/4', 'hot/4']);
    await settled(experimentId, 'completed');
    expect((await get(`/experiments/${experimentId}/results`)).body.variants[0].n).toBe(4);
    // The same seed again is refused, naming the field.
    expect(await post(`/experiments/${experimentId}/extend`, { seeds: [4] })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'seeds' } } });
  }, 90_000);

  it('pauses (nothing new starts), resumes, and cancels (running runs cancelled, not counted)', async () => {
    const created = await post('/experiments', { name: 'control', projects: [projectId], variants: [variants[0]], repetitions: 4, concurrency: 1 });
    const id = created.body.experimentId;
    expect((await post(`/experiments/${id}/pause`)).status).toBe(202);
    expect((await post(`/experiments/${id}/pause`)).body).toMatchObject({ status: 'paused', changed: false });
    // The first run may have started before the pause; nothing after it does.
    const paused = await waitForExperiment(id, (e) => e.progress.running === 0);
    const startedWhilePaused = paused.progress.ended;
    expect(startedWhilePaused).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get(`/experiments/${id}`)).body.progress).toMatchObject({ running: 0, pending: 4 - startedWhilePaused });

    expect((await post(`/experiments/${id}/resume`)).body).toMatchObject({ status: 'running', changed: true });
    const running = await waitForExperiment(id, (e) => e.progress.running === 1);
    const simulationId = running.runs.find((r: any) => r.status === 'running').simulationId;
    expect((await post(`/experiments/${id}/cancel`)).body).toMatchObject({ status: 'cancelled', changed: true });
    const cancelled = await waitForExperiment(id, (e) => e.progress.running === 0);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.runs.find((r: any) => r.simulationId === simulationId)).toMatchObject({ status: 'ended', outcome: 'cancelled', counted: false });
    expect(cancelled.progress.pending).toBeGreaterThan(0);
    expect((await get(`/simulations/${simulationId}`)).body.status).toBe('cancelled');
    expect(await post(`/experiments/${id}/resume`)).toMatchObject({ status: 409, body: { error: { code: 'EXPERIMENT_ENDED' } } });
  }, 90_000);

  it('a counterfactual experiment forks one history at one position: every run identical to the original up to the cut', async () => {
    const [first] = await eventsOf(`experiment-${experimentId}`, 'ExperimentRunStarted');
    const original = first.simulationId;
    const history = async (simulationId: string) =>
      (
        await stack.db.pool.query(
          'SELECT stream_id AS "streamId", type, data, global_position::int AS "globalPosition" FROM events WHERE simulation_id = $1 ORDER BY global_position',
          [simulationId],
        )
      ).rows;
    const before = await history(original);
    const answers = before.filter((e: any) => e.type === 'LlmCallCompleted');
    const cut = answers[Math.floor(answers.length / 2)].globalPosition;
    const created = await post('/experiments', { name: 'what if', design: { type: 'counterfactual', from: original, atPosition: cut }, variants, repetitions: 1, concurrency: 2 });
    expect(created).toMatchObject({ status: 201, body: { runs: 2 } });
    const done = await waitForExperiment(created.body.experimentId, (e) => e.status === 'completed', 60_000);
    expect(done.progress.counted).toBe(2);
    for (const run of done.runs) {
      const fork = await history(run.simulationId);
      expect(fork[0].data.forkOf).toEqual({ simulationId: original, atPosition: cut });
      expect(compareHistories({ simulationId: original, events: before }, { simulationId: run.simulationId, events: fork }, { until: cut })).toMatchObject({ identical: true, firstDivergence: null });
    }
  }, 90_000);

  it('refuses bad bodies naming the field, unknown ids with 404', async () => {
    const bad = async (body: unknown, field: string, status = 400) => expect((await post('/experiments', body)).body.error).toMatchObject({ field, ...(status === 400 ? { code: 'VALIDATION_FAILED' } : {}) });
    await bad({}, 'name');
    await bad({ name: 'x', projects: [projectId], variants: [{ name: 'a' }], seeds: [1] }, 'variants');
    await bad({ name: 'x', projects: [projectId], variants, seeds: [1], repetitions: 2 }, 'seeds');
    await bad({ name: 'x', projects: [projectId], variants, seeds: [1, 1] }, 'seeds');
    await bad({ name: 'x', variants, seeds: [1] }, 'projects');
    await bad({ name: 'x', projects: [projectId], variants, seeds: [1], concurrency: 0 }, 'concurrency');
    await bad({ name: 'x', projects: [projectId], variants: [{ ...variants[0], overrides: { temperature: 1 } }], seeds: [1] }, 'variants.0.overrides.temperature');
    // A variant's agent program for another stack: refused at creation, not when its runs start.
    const program = { files: [{ path: 'agent.py', hash: 'a'.repeat(64), size: 1 }], command: 'python3 agent.py', stack: 'node', timeLimitMs: 10_000 };
    const programmer = { personaId: 'prog', name: 'Prog', role: 'engineer', seniority: 'mid', skills: { python: 3 }, program };
    await bad({ name: 'x', projects: [projectId], variants: [variants[0], { ...variants[1], overrides: { roster: [programmer] } }], seeds: [1] }, 'variants.1.overrides.roster.0.program.stack');
    const unknown = await post('/experiments', { name: 'x', projects: ['00000000-0000-4000-8000-000000000000'], variants, seeds: [1] });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'PROJECT_NOT_FOUND' } } });
    const outside = await post('/experiments', { name: 'x', design: { type: 'counterfactual', from: (await eventsOf(`experiment-${experimentId}`, 'ExperimentRunStarted'))[0].simulationId, atPosition: 1 }, variants, seeds: [1] });
    expect(outside).toMatchObject({ status: 400, body: { error: { field: 'design.atPosition' } } });
    expect(await post(`/experiments/${experimentId}/pause`, { now: true })).toMatchObject({ status: 400, body: { error: { field: 'now' } } });
    expect(await post(`/experiments/${experimentId}/extend`, {})).toMatchObject({ status: 400, body: { error: { field: 'seeds' } } });
    expect(await get('/experiments/00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404, body: { error: { code: 'EXPERIMENT_NOT_FOUND' } } });
    expect(await get(`/experiments/${experimentId}/export?format=csv`)).toMatchObject({ status: 400, body: { error: { field: 'format' } } });
  }, 30_000);
});
