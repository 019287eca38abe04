import { startService, eventually } from '@swe-sim/testing';
import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * A service that gives up on an event (its handler fails every attempt) parks it and goes on;
 * the simulation that waited for it must not wait for ever: it fails, naming who gave up on what.
 */
describe('an event a service gives up on', () => {
  let stack: SimulationStack;

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
    stack.services.push(await startService('test/fixtures/failing-service.js', { ...stack.env, SERVICE_NAME: 'saboteur' }));
  });
  afterAll(() => stack?.stop());

  it('is recorded as EventDeadLettered with its simulation, and the simulation fails with EVENT_DEAD_LETTERED; its agents stop', async () => {
    const project = await stack.post('/projects', twoModuleProject());
    const started = await stack.post(`/projects/${project.body.projectId}/simulations`, { seed: 3 });
    const { simulationId } = started.body;

    const sim = await stack.waitFor(simulationId, finished, 60_000);
    expect(sim.status).toBe('failed');
    const events = await stack.events(simulationId);
    const parked = events.find((e) => e.type === 'EventDeadLettered')!.data;
    expect(parked).toMatchObject({ subscription: 'saboteur', type: 'SprintPlanningStarted', attempts: 5, error: 'the handler cannot do this (on purpose)' });
    expect(events.find((e) => e.type === 'SimulationFailed')!.data).toMatchObject({
      code: 'EVENT_DEAD_LETTERED',
      reason: expect.stringContaining(`saboteur gave up on SprintPlanningStarted ${parked.eventId} after 5 attempts`),
    });
    const saboteur = stack.services[stack.services.length - 1];
    expect(await (await fetch(`${saboteur.url}/health`)).json()).toMatchObject({ deadLetters: 1 });
    // Every task that started ends (the simulation ended: they stop at their next step).
    await eventually(async () => {
      const all = await stack.events(simulationId);
      const started = all.filter((e) => e.type === 'AgentTaskStarted').length;
      return all.filter((e) => e.type === 'AgentTaskEnded').length === started;
    }, 60_000, 'tasks ended');
  }, 120_000);
});
