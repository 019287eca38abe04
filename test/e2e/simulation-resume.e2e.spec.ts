import { AgentTaskSuspended, createEventRegistry, simulationQueueStream, taskStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { eventually } from '@swe-sim/testing';
import { SimulationStack, aCompletedSimulation, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * A resumable failure: an agent task suspended by infrastructure fails its simulation with
 * INFRASTRUCTURE_UNAVAILABLE, resumable; POST /simulations/:id/resume records one SimulationResumed
 * (of two concurrent requests, one is refused), and the simulation goes on to complete. The
 * suspension is appended directly (as agent-execution records it past its retries), on a task
 * stream of its own, so that it is the only fault: the real tasks suspend because their simulation
 * failed, and are re-run on the resume.
 */
describe('resuming a simulation that infrastructure stopped', () => {
  let stack: SimulationStack;
  let store: EventStore;

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
    store = new EventStore(stack.db.pool, { registry: createEventRegistry() });
  });
  afterAll(() => stack?.stop());

  const resume = (id: string) => fetch(`${stack.pm.url}/simulations/${id}/resume`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'the LLM is back' }) });
  const of = async (id: string, type: string) => (await stack.events(id)).filter((e) => e.type === type).map((e) => e.data);

  it('fails resumable on a suspended task, records one resume of two concurrent requests, and completes', async () => {
    const created = await stack.post('/projects', twoModuleProject());
    const started = await stack.post(`/projects/${created.body.projectId}/simulations`, { seed: 11, teams: 1, teamSize: 3, sprints: { max: 1 }, process: { pairing: true, review: true, swapEveryTurns: 2 } });
    expect(started.status).toBe(201);
    const { simulationId } = started.body;
    await eventually(async () => (await of(simulationId, 'AgentTaskStarted')).length > 0, 60_000, 'a task started');

    const taskId = `${simulationId}.infrastructure-probe.s1`;
    await store.append(
      taskStream(taskId),
      [{ type: AgentTaskSuspended.type, data: { taskId, simulationId, step: 'llm', code: 'LLM_UNAVAILABLE', reason: 'the LLM answered 503 to every attempt' } }],
      { metadata: { simulationId, actor: 'agent-execution' } },
    );
    // A second suspension of the same episode adds nothing.
    await store.append(taskStream(taskId), [{ type: AgentTaskSuspended.type, data: { taskId, simulationId, step: 'llm', code: 'LLM_UNAVAILABLE', reason: 'again' } }], { metadata: { simulationId } });

    const failed = await stack.waitFor(simulationId, (s) => s.status === 'failed', 30_000);
    expect(failed.failure).toMatchObject({ code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true, reason: expect.stringContaining(`task ${taskId} was suspended at its llm step (LLM_UNAVAILABLE)`) });
    expect(await of(simulationId, 'SimulationFailed')).toEqual([expect.objectContaining({ code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true })]);

    // The real tasks stop at their next step, suspended (no outcome) because their simulation failed.
    await eventually(async () => (await of(simulationId, 'AgentTaskSuspended')).some((t) => t.taskId !== taskId), 30_000, 'the running tasks suspended');
    expect(await of(simulationId, 'FeatureAbandoned')).toEqual([]);

    const answers = await Promise.all([resume(simulationId), resume(simulationId)]);
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<any>));
    expect(answers.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(bodies.find((b) => b.status === 'resuming')).toMatchObject({ simulationId, resumption: 1 });
    expect(bodies.find((b) => b.error)?.error.code).toMatch(/^SIMULATION_(RESUME_PENDING|NOT_RESUMABLE)$/);
    const requests = (await store.readStream(simulationQueueStream(simulationId))).filter((e) => (e.data as any).resume);
    expect(requests).toHaveLength(1);

    await stack.waitFor(simulationId, (s) => s.status !== 'failed' && s.status !== 'queued', 30_000);
    const sim = await stack.waitFor(simulationId, finished, 120_000);
    expect(sim.status).toBe('completed');
    expect(sim).toMatchObject({ resumptions: 1, failure: { code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true } });
    expect(await of(simulationId, 'SimulationResumed')).toEqual([{ simulationId, resumption: 1, reason: 'the LLM is back' }]);
    expect(await of(simulationId, 'SimulationFailed')).toHaveLength(1);
    // The suspended tasks were re-run after the resume and delivered, as without the fault.
    expect(sim.metrics).toMatchObject({ featuresTotal: 2, featuresDone: 2, acceptanceTestsPassed: 2 });
    expect(await of(simulationId, 'FeatureAbandoned')).toEqual([]);

    const again = await resume(simulationId);
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).error.code).toBe('SIMULATION_NOT_RESUMABLE');
  }, 240_000);

  it('refuses to resume a simulation that completed, one that does not exist, and a malformed id', async () => {
    const completed = await aCompletedSimulation(stack);
    const r = await resume(completed);
    expect(r.status).toBe(409);
    expect(((await r.json()) as any).error).toMatchObject({ code: 'SIMULATION_NOT_RESUMABLE', message: expect.stringContaining('has ended') });
    expect(await of(completed, 'SimulationResumed')).toEqual([]);
    expect((await resume('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await resume('not-a-uuid')).status).toBe(400);
  }, 180_000);
});
