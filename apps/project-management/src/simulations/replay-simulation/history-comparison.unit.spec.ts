import { compareHistories, ComparedEvent } from './history-comparison';

const S = '11111111-1111-4111-8111-111111111111';
const F = '22222222-2222-4222-8222-222222222222';

/** A small history of simulation `sim`: started, a task with a sandbox, a tool call, a sprint end. */
function aHistory(sim: string, tweak: { outcome?: string; extraTurn?: boolean; sandbox?: string; durationMs?: number } = {}): ComparedEvent[] {
  const task = `${sim}.parse.s1`;
  const events: Omit<ComparedEvent, 'globalPosition'>[] = [
    { streamId: `simulation-${sim}`, type: 'SimulationStarted', data: { simulationId: sim, config: { seed: 7 }, ...(sim === F ? { replayOf: { simulationId: S } } : {}) } },
    { streamId: `llm-${sim}-ada/parse.s1`, type: 'LlmCallCompleted', data: { callKey: { simulationId: sim }, timings: { latencyMs: sim === S ? 900 : 0 } } },
    { streamId: `task-${task}`, type: 'AgentTaskStarted', data: { taskId: task, simulationId: sim, featureId: 'parse' } },
    { streamId: `task-${task}`, type: 'TaskSandboxReady', data: { taskId: task, sandboxId: tweak.sandbox ?? `t-${sim.slice(0, 4)}-g1`, generation: 1 } },
    { streamId: `rpc-${sim}-x`, type: 'CommandRequested', data: { cmd: 'pytest', sandboxId: 'whatever' } },
    { streamId: `task-${task}`, type: 'ToolCallCompleted', data: { taskId: task, turn: 1, ok: true, output: 'TESTS PASSED', durationMs: tweak.durationMs ?? 40 } },
    ...(tweak.extraTurn ? [{ streamId: `task-${task}`, type: 'AgentTurnTaken', data: { taskId: task, turn: 2 } }] : []),
    { streamId: `task-${task}`, type: 'AgentTaskEnded', data: { taskId: task, outcome: tweak.outcome ?? 'done' } },
    { streamId: `simulation-${sim}`, type: 'SimulationCompleted', data: { simulationId: sim, metrics: { featuresDone: 1, wallTimeMs: sim === S ? 5000 : 80 } } },
  ];
  return events.map((e, i) => ({ ...e, globalPosition: (sim === S ? 100 : 5000) + i }));
}

describe(compareHistories.name, () => {
  it('a re-execution with the same decisions is identical, whatever its ids, sandbox names, inputs and measured times', () => {
    const sut = compareHistories({ simulationId: S, events: aHistory(S) }, { simulationId: F, events: aHistory(F, { durationMs: 3 }) });
    expect(sut).toEqual({ identical: true, compared: { streams: 2, events: 6 }, firstDivergence: null });
  });

  it('names the first event that differs, its stream, both events and the field', () => {
    const sut = compareHistories({ simulationId: S, events: aHistory(S) }, { simulationId: F, events: aHistory(F, { outcome: 'abandoned' }) });
    expect(sut.identical).toBe(false);
    expect(sut.firstDivergence).toEqual({
      streamId: `task-${S}.parse.s1`,
      index: 3,
      expected: { type: 'AgentTaskEnded', position: 106 },
      actual: { type: 'AgentTaskEnded', position: 5006 },
      differences: ['data.outcome: recorded "done" vs now "abandoned"'],
    });
  });

  it('an event in a different place is a divergence of type; the earliest in the original wins', () => {
    const sut = compareHistories({ simulationId: S, events: aHistory(S) }, { simulationId: F, events: aHistory(F, { extraTurn: true, outcome: 'abandoned' }) });
    expect(sut.firstDivergence).toMatchObject({ index: 3, expected: { type: 'AgentTaskEnded' }, actual: { type: 'AgentTurnTaken' }, differences: ['type: recorded AgentTaskEnded vs now AgentTurnTaken'] });
  });

  it('a missing tail, an extra event and an extra stream are divergences', () => {
    const original = aHistory(S);
    const short = aHistory(F).filter((e) => e.type !== 'SimulationCompleted');
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: short }).firstDivergence).toMatchObject({
      streamId: `simulation-${S}`,
      index: 1,
      actual: null,
      expected: { type: 'SimulationCompleted', position: 107 },
    });
    const longer = compareHistories({ simulationId: S, events: original.filter((e) => e.type !== 'SimulationCompleted') }, { simulationId: F, events: aHistory(F) });
    expect(longer.firstDivergence).toMatchObject({ streamId: `simulation-${S}`, index: 1, expected: null, actual: { type: 'SimulationCompleted' } });
    const extraStream = [...aHistory(F), { streamId: `feature-${F}-other`, type: 'FeatureDone', data: {}, globalPosition: 6000 }];
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: extraStream }).firstDivergence).toMatchObject({
      streamId: `feature-${S}-other`,
      expected: null,
      actual: { type: 'FeatureDone', position: 6000 },
    });
  });

  it('two sandboxes swapped in a stream are a divergence (names are matched by order, not ignored)', () => {
    const withTwo = (sim: string, a: string, b: string) => [
      ...aHistory(sim, { sandbox: a }),
      { streamId: `task-${sim}.parse.s1`, type: 'TaskSandboxReady', data: { sandboxId: b }, globalPosition: 9000 },
      { streamId: `task-${sim}.parse.s1`, type: 'TaskSandboxReady', data: { sandboxId: a }, globalPosition: 9001 },
    ];
    const same = compareHistories({ simulationId: S, events: withTwo(S, 'a1', 'a2') }, { simulationId: F, events: withTwo(F, 'b1', 'b2') });
    expect(same.identical).toBe(true);
    const swapped = compareHistories({ simulationId: S, events: withTwo(S, 'a1', 'a2') }, { simulationId: F, events: withTwo(F, 'b1', 'b1') });
    expect(swapped.firstDivergence?.differences).toEqual(['data.sandboxId: recorded "sandbox#2" vs now "sandbox#1"']);
  });

  it('until a position: only the original\'s prefix must match; the re-execution may differ after it', () => {
    const original = aHistory(S);
    const fork = aHistory(F, { outcome: 'abandoned' });
    const cut = original.find((e) => e.type === 'ToolCallCompleted')!.globalPosition;
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: fork }, { until: cut })).toMatchObject({ identical: true, compared: { events: 4 } });
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: fork }, { until: cut + 1 }).identical).toBe(false);
  });

  it('votes of one poker round may arrive in any order; a different vote is still a divergence', () => {
    const round = (sim: string, votes: [string, number][], at: number): ComparedEvent[] =>
      votes.map(([voter, points], i) => ({ streamId: `poker-${sim}-1-parse`, type: 'EstimateCast', data: { voter, points, round: 1 }, globalPosition: at + i }));
    const original = [...aHistory(S), ...round(S, [['ada', 3], ['bo', 5], ['cy', 3]], 200)];
    const reordered = [...aHistory(F), ...round(F, [['cy', 3], ['ada', 3], ['bo', 5]], 6000)];
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: reordered }).identical).toBe(true);
    const otherVote = [...aHistory(F), ...round(F, [['cy', 3], ['ada', 3], ['bo', 8]], 6000)];
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: otherVote }).firstDivergence?.streamId).toBe(`poker-${S}-1-parse`);
  });

  it('a fork\'s prefix leaves out its own configuration (the overrides), a replay\'s does not', () => {
    const withConfig = (sim: string, temperature: number) => aHistory(sim).map((e) => (e.type === 'SimulationStarted' ? { ...e, data: { ...(e.data as object), config: { seed: 7, temperature } } } : e));
    const original = withConfig(S, 0.2);
    const other = withConfig(F, 0.9);
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: other }, { until: 1_000 }).identical).toBe(true);
    expect(compareHistories({ simulationId: S, events: original }, { simulationId: F, events: other }).firstDivergence?.differences).toEqual(['data.config.temperature: recorded 0.2 vs now 0.9']);
  });
});
