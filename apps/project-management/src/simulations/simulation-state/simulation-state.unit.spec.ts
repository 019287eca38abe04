import { HistoryEvent, evolve, initialSimulationState, present, rebuildSimulationState, SimulationState } from './simulation-state';
import { syntheticHistory } from './synthetic-history';

/** A synthetic history as the fold reads it, numbered 1, 2, 3… */
function history(events: number): HistoryEvent[] {
  return [...syntheticHistory({ events, features: 12, turnsPerTask: 10, seed: 5 })]
    .flatMap((a) => a.events)
    .map((e, i) => ({ type: e.type, data: e.data, globalPosition: i + 1, recordedAt: e.recordedAt }));
}

const deepFreeze = <T>(x: T): T => {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    Object.values(x).forEach(deepFreeze);
  }
  return x;
};

describe('simulation state fold', () => {
  const events = history(1500);

  it('given a state stored as JSON at any point, when folded on, then it equals the fold from the start', () => {
    const whole = rebuildSimulationState(events);
    for (const cut of [1, 2, 100, 733, 1200, events.length - 1]) {
      const before = events.slice(0, cut).reduce(evolve, initialSimulationState);
      const resumed = events.slice(cut).reduce(evolve, JSON.parse(JSON.stringify(before)) as SimulationState);
      expect(JSON.stringify(present(resumed!))).toBe(JSON.stringify(whole)); // same keys in the same order, as the API shows them
    }
  });

  it('never changes the state it is given, so a state can be kept while the fold goes on', () => {
    let state = initialSimulationState;
    for (const e of events) {
      const kept = state && JSON.stringify(state);
      const next = evolve(deepFreeze(state), e); // a write to a frozen object throws in strict mode
      if (state) expect(JSON.stringify(state)).toBe(kept);
      state = next;
    }
    expect(state!.events).toBe(events.length);
  });

  it('has no state for a history that does not start with SimulationStarted', () => {
    expect(rebuildSimulationState(events.slice(1))).toBeNull();
    expect(rebuildSimulationState([])).toBeNull();
  });

  it('shows each task’s progress and what each agent is working on', () => {
    const view = rebuildSimulationState(events)!;
    const running = view.tasks.filter((t) => t.status === 'running');
    expect(view.tasks.length).toBeGreaterThan(0);
    for (const t of running) {
      expect(view.agents[t.driver].working).toContainEqual({ taskId: t.taskId, featureId: t.featureId, as: 'driver' });
      expect(t.turns).toBeGreaterThan(0);
    }
    expect(view.position).toBe(events.length);
  });

  it("counts an agent program's calls as its task's turns", () => {
    const started = events.findIndex((e) => e.type === 'AgentTaskStarted');
    const task = events[started].data as { taskId: string };
    const ran = { type: 'AgentProgramRan', data: { taskId: task.taskId, calls: 3 }, globalPosition: started + 2, recordedAt: events[started].recordedAt } as HistoryEvent;
    const view = rebuildSimulationState([...events.slice(0, started + 1), ran])!;
    expect(view.tasks.find((t) => t.taskId === task.taskId)).toMatchObject({ turns: 3 });
  });
});

