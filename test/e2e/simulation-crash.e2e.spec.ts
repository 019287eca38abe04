import { RunningService, eventually, startService } from '@swe-sim/testing';
import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * agent-execution killed with SIGKILL while its agents are at work, then started again: the tasks
 * resume from their streams, no LLM call is made twice for a turn already recorded, and the
 * simulation completes with a history that is consistent (each turn once, each matching its call).
 */
describe('a simulation whose agent-execution is killed mid-task', () => {
  let stack: SimulationStack;
  let restarted: RunningService | undefined;

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
  });
  afterAll(async () => {
    await restarted?.kill();
    await stack?.stop();
  });

  it('resumes every task and completes, with no turn recorded twice', async () => {
    const created = await stack.post('/projects', twoModuleProject());
    const started = await stack.post(`/projects/${created.body.projectId}/simulations`, {
      seed: 21,
      teams: 1,
      teamSize: 3,
      process: { pairing: true, review: true, swapEveryTurns: 2 },
    });
    const { simulationId } = started.body;
    await eventually(async () => (await stack.events(simulationId)).some((e) => e.type === 'AgentTurnTaken'), 60_000, 'agents at work');
    const agentExecution = stack.services.find((s) => s.child.spawnargs.some((a) => a.includes('agent-execution')))!;
    await agentExecution.kill('SIGKILL');
    const before = (await stack.events(simulationId)).length;
    restarted = await startService('agent-execution', stack.env);

    const sim = await stack.waitFor(simulationId, finished);
    expect(sim).toMatchObject({ status: 'completed', metrics: { featuresDone: 2, acceptanceTestsPassed: 2 } });
    const all = await stack.events(simulationId);
    expect(all.length).toBeGreaterThan(before);

    // each task's turns are 1..n, once each
    const turns = all.filter((e) => e.type === 'AgentTurnTaken').map((e) => e.data);
    for (const taskId of new Set(turns.map((t) => t.taskId))) {
      expect(turns.filter((t) => t.taskId === taskId).map((t) => t.turn)).toEqual(turns.filter((t) => t.taskId === taskId).map((_, i) => i + 1));
    }
    // each LLM call recorded once, and each turn is what its recorded call answered
    const calls = all.filter((e) => e.type === 'LlmCallCompleted').map((e) => e.data);
    const keys = calls.map((c) => `${c.callKey.agentId}#${c.callKey.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of turns.filter((x) => !x.failure)) {
      const call = calls.find((c) => c.callKey.agentId === t.llm.agentId && c.callKey.seq === t.llm.seq);
      expect(call).toBeDefined();
      if (!('blob' in call.message)) expect(call.message.content).toEqual(t.content);
    }
    expect(all.filter((e) => e.type === 'FeatureDone')).toHaveLength(2);
  });
});
