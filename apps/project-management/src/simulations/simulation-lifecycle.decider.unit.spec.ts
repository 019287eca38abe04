import { randomUUID } from 'node:crypto';
import { LifecycleEvent, SimulationEndedError, SimulationNotFoundError, decideLifecycle, evolveLifecycle, initialLifecycleState } from './simulation-lifecycle.decider';

const id = randomUUID();
const cancel = { type: 'CancelSimulation' as const, simulationId: id, reason: 'enough' };
const given = (events: LifecycleEvent[]) => ({ when: () => decideLifecycle(cancel, events.reduce(evolveLifecycle, initialLifecycleState)) });

describe('simulation lifecycle', () => {
  it('given a running simulation, when cancelled, then SimulationCancelled', () => {
    expect(given([{ type: 'SimulationStarted', data: {} }]).when()).toEqual([{ type: 'SimulationCancelled', data: { simulationId: id, reason: 'enough' } }]);
  });

  it('refuses to cancel what does not exist or has ended', () => {
    expect(() => given([]).when()).toThrow(SimulationNotFoundError);
    for (const end of ['SimulationCompleted', 'SimulationFailed', 'SimulationCancelled'] as const) {
      expect(() => given([{ type: 'SimulationStarted', data: {} }, { type: end, data: {} }]).when()).toThrow(SimulationEndedError);
    }
  });
});
