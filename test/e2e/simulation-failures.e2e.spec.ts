import { eventually } from '@swe-sim/testing';
import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * What the agents do wrong ends as a recorded outcome, never a crash or a stuck simulation; what
 * the infrastructure does wrong never becomes an outcome. An LLM that fails once (a 500: retried as
 * a new attempt, unseen by the agents) and then rambles without using tools runs out of turns; a driver that calls a tool that
 * does not exist, writes outside the repository, runs a command that hangs, and finishes without
 * working code is refused, timed out, and sent back until integration gives up. The sprint ends,
 * the simulation completes with nothing delivered, every sandbox is released.
 */
describe('a simulation whose agents fail in every way', () => {
  let stack: SimulationStack;

  beforeAll(async () => {
    // One HTTP attempt per call and three attempts per step: the gateway's retries do not hide the
    // faults, and a step past its bound suspends quickly.
    stack = await startSimulationStack('simulation-failures.json', { env: { LLM_MAX_ATTEMPTS: '1', TASK_RETRY_MAX_ATTEMPTS: '3', TASK_RETRY_BASE_MS: '50' } });
  });
  afterAll(() => stack?.stop());

  it('records every failure as an outcome and completes', async () => {
    const { post } = stack;
    const created = await post('/projects', twoModuleProject());
    const started = await post(`/projects/${created.body.projectId}/simulations`, {
      seed: 3,
      teams: 1,
      teamSize: 2,
      sprints: { max: 1 },
      process: { pairing: false, review: false },
      budgets: { maxTurnsPerTask: 6 },
    });
    expect(started.status).toBe(201);
    const { simulationId } = started.body;
    const sim = await stack.waitFor(simulationId, finished);

    expect(sim.status).toBe('completed');
    expect(sim.metrics).toMatchObject({ featuresTotal: 2, featuresDone: 0, acceptanceTestsPassed: 0 });
    const all = await stack.events(simulationId);
    const of = (t: string) => all.filter((e) => e.type === t).map((e) => e.data);
    const byFeature = Object.fromEntries(of('FeatureAbandoned').map((d) => [d.featureId, d.code]));
    expect(byFeature).toEqual({ slugify: 'BUDGET_EXHAUSTED', 'word-count': 'TESTS_FAILING' });

    const slugTurns = of('AgentTurnTaken').filter((t) => t.taskId.includes('.slugify.'));
    expect(slugTurns).toHaveLength(6);
    // The 500 of the first call is the infrastructure's: retried under a key of its own, not a failed turn.
    expect(slugTurns.every((t) => t.failure === null && t.toolCalls.length === 0)).toBe(true);
    expect(of('TaskStepInterrupted').filter((i) => i.taskId.includes('.slugify.'))).toEqual([
      expect.objectContaining({ step: 'llm', attempt: 1, code: 'LLM_BACKEND_ERROR', sandboxLost: false }),
    ]);
    const firstCall = of('LlmCallFailed').filter((f) => f.callKey.agentId.includes('/slugify.') && f.callKey.seq === 0);
    expect(firstCall.map((f) => [f.callKey.attempt, f.error.code])).toEqual([[undefined, 'LLM_BACKEND_ERROR']]);
    expect(of('LlmCallCompleted').some((c) => c.callKey.agentId.includes('/slugify.') && c.callKey.seq === 0 && c.callKey.attempt === 1)).toBe(true);

    const tools = of('ToolCallCompleted').filter((t) => t.taskId.includes('.word-count.'));
    expect(tools.find((t) => t.name === 'deploy_to_prod')).toMatchObject({ ok: false, output: expect.stringContaining('unknown tool') });
    expect(tools.find((t) => t.name === 'write_file')).toMatchObject({ ok: false, output: expect.stringContaining('leaves the repository') });
    const hung = tools.find((t) => t.name === 'run_command');
    expect(hung).toMatchObject({ ok: false, output: expect.stringContaining('timed out') });
    expect(hung.durationMs).toBeLessThan(10_000);
    expect(of('AcceptanceTestsRun').filter((r) => r.taskId.includes('.word-count.')).map((r) => r.passed)).toEqual([false, false, false]);

    expect(of('SprintEnded')[0]).toMatchObject({ deliveredPoints: 0, carriedOver: expect.arrayContaining(['slugify', 'word-count']) });
    expect(all.filter((e) => e.type === 'SandboxDestroyed').length).toBe(all.filter((e) => e.type === 'SandboxCreated').length);
  });

  it("suspends on a reviewer's LLM that stays down, fails the simulation resumable, and goes on when resumed — to the next sprint", async () => {
    const { post } = stack;
    const created = await post('/projects', twoModuleProject());
    const started = await post(`/projects/${created.body.projectId}/simulations`, {
      seed: 5,
      teams: 1,
      teamSize: 2,
      // Two sprints: what is not done in the first is carried over, after the team review a resumed
      // simulation must still get.
      sprints: { max: 2 },
      process: { pairing: false, review: true },
      budgets: { maxTurnsPerTask: 6 },
    });
    expect(started.status).toBe(201);
    const { simulationId } = started.body;
    // The reviewer's LLM answers 500 three times: the review step's three attempts.
    const failed = await stack.waitFor(simulationId, finished);
    expect(failed).toMatchObject({ status: 'failed' });
    let all = await stack.events(simulationId);
    let of = (t: string) => all.filter((e) => e.type === t).map((e) => e.data);
    expect(of('SimulationFailed')).toEqual([expect.objectContaining({ code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true })]);
    const suspended = of('AgentTaskSuspended').filter((s) => s.taskId.includes('.word-count.'));
    expect(suspended).toEqual([expect.objectContaining({ step: 'review', code: 'LLM_BACKEND_ERROR' })]);
    expect(of('TaskStepInterrupted').filter((i) => i.taskId.includes('.word-count.') && i.step === 'review').map((i) => i.attempt)).toEqual([1, 2]);
    // Nothing the infrastructure did became the agents' result: no fallback verdict, no abandoned feature.
    expect(of('ReviewApproved').concat(of('ReviewCommented')).filter((r) => r.taskId.includes('.word-count.'))).toEqual([]);
    expect(of('FeatureAbandoned').filter((f) => f.featureId === 'word-count')).toEqual([]);

    const resumed = await post(`/simulations/${simulationId}/resume`, {});
    expect(resumed.status).toBeLessThan(300);
    const sim = await stack.waitFor(simulationId, (s) => s.status === 'completed');
    expect(sim.status).toBe('completed');
    all = await stack.events(simulationId);
    of = (t: string) => all.filter((e) => e.type === t).map((e) => e.data);
    expect(of('SimulationResumed')).toHaveLength(1);
    expect(of('AgentTaskResumed').filter((r) => r.taskId.includes('.word-count.'))).toEqual([expect.objectContaining({ resumption: 1 })]);
    // The fourth call of the reviewer is answered: a review on the merits of the change, then its outcome as usual.
    const verdicts = of('ReviewApproved').concat(of('ReviewCommented')).filter((r) => r.taskId.includes('.word-count.'));
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.some((v) => String(v.comments).includes('LLM_BACKEND_ERROR'))).toBe(false);
    expect(of('FeatureDone').concat(of('FeatureAbandoned')).filter((f) => f.featureId === 'word-count').length).toBeGreaterThanOrEqual(1);
    expect(of('SprintEnded')).toHaveLength(2);
    expect(of('TeamsReviewed')).toHaveLength(1);
    expect(await post(`/simulations/${simulationId}/resume`, {})).toMatchObject({ status: 409 });
  });

  it('stops a simulation on cancel: running tasks end at their next step, sandboxes are released, a second cancel is refused', async () => {
    const { post } = stack;
    const created = await post('/projects', twoModuleProject());
    const started = await post(`/projects/${created.body.projectId}/simulations`, {
      seed: 4,
      teams: 1,
      teamSize: 2,
      process: { pairing: false, review: false },
      budgets: { maxTurnsPerTask: 500 },
    });
    const { simulationId } = started.body;
    // the rambling driver of slugify would go on for 500 turns
    await stack.waitFor(simulationId, (sim) => sim.status === 'running');
    await eventually(async () => (await stack.events(simulationId)).some((e) => e.type === 'AgentTurnTaken'), 30_000, 'agents at work');
    const cancelled = await post(`/simulations/${simulationId}/cancel`, { reason: 'the experiment is over' });
    expect(cancelled.status).toBe(202);
    await stack.waitFor(simulationId, (sim) => sim.status === 'cancelled');
    const ended = await eventually(async () => {
      const all = await stack.events(simulationId);
      const tasks = all.filter((e) => e.type === 'AgentTaskStarted').length;
      const ends = all.filter((e) => e.type === 'AgentTaskEnded');
      return tasks > 0 && ends.length === tasks ? { all, ends } : undefined;
    }, 30_000, 'every task ended');
    expect(ended.ends.some((e) => e.data.code === 'CANCELLED')).toBe(true);
    expect(ended.ends.find((e) => e.data.code === 'CANCELLED')!.data.reason).toContain('the experiment is over');
    expect(ended.all.filter((e) => e.type === 'AgentTurnTaken').length).toBeLessThan(100);
    await eventually(async () => {
      const all = await stack.events(simulationId);
      return all.filter((e) => e.type === 'SandboxDestroyed').length === all.filter((e) => e.type === 'SandboxCreated').length;
    }, 30_000, 'sandboxes released');

    expect(await post(`/simulations/${simulationId}/cancel`, {})).toMatchObject({ status: 409, body: { error: { code: 'SIMULATION_ENDED' } } });
    expect(await post(`/simulations/00000000-0000-4000-8000-000000000000/cancel`, {})).toMatchObject({ status: 404 });
    expect(await post(`/simulations/${simulationId}/cancel`, { reason: 42 })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'reason' } } });
  });
});
