import { estimateError, runMetrics, runTokens } from './run-metrics';

const call = (promptTokens: number, completionTokens: number) => ({ type: 'LlmCallCompleted', data: { usage: { promptTokens, completionTokens } } });
const endMetrics = {
  featuresTotal: 2,
  featuresDone: 1,
  acceptanceTestsTotal: 2,
  acceptanceTestsPassed: 1,
  sprints: [
    { sprint: 1, committedPoints: 5, deliveredPoints: 3 },
    { sprint: 2, committedPoints: 2, deliveredPoints: 0 },
  ],
  estimation: [
    { featureId: 'a', points: 3, turns: 6, tokens: 300, done: true },
    { featureId: 'b', points: 1, turns: 2, tokens: 300, done: false },
  ],
  tokensByRole: { engineer: { prompt: 500, completion: 50 }, reviewer: { prompt: 40, completion: 10 } },
  llmTimeMs: 1200,
  sandboxTimeMs: 300,
  wallTimeMs: 5000,
};

describe('run metrics', () => {
  const history = [
    { type: 'SprintEnded', data: { velocity: 3 } },
    call(500, 50),
    call(40, 10),
    { type: 'AgentTaskEnded', data: { turns: 6 } },
    { type: 'AgentTaskEnded', data: { turns: 2 } },
    { type: 'ReviewRequested', data: {} },
    { type: 'ReviewCommented', data: {} },
    { type: 'ReviewRequested', data: {} },
    { type: 'AcceptanceTestsRun', data: { passed: false } },
    { type: 'AcceptanceTestsRun', data: { passed: true } },
    { type: 'MergeConflicted', data: {} },
    { type: 'SprintEnded', data: { velocity: 0 } },
    { type: 'FeatureDone', data: {} },
    { type: 'SimulationCompleted', data: { metrics: endMetrics } },
  ];

  it('derives every metric the history supports', () => {
    expect(runMetrics(history)).toEqual({
      tokensIn: 540,
      tokensOut: 60,
      'tokensIn.engineer': 500,
      'tokensOut.engineer': 50,
      'tokensIn.reviewer': 40,
      'tokensOut.reviewer': 10,
      llmCalls: 2,
      turns: 8,
      reviewRounds: 2,
      changesRequested: 1,
      integrationFailures: 1,
      mergeConflicts: 1,
      velocityPerSprint: 1.5,
      featuresTotal: 2,
      featuresDone: 1,
      featuresDoneRate: 0.5,
      acceptanceTestsPassed: 1,
      acceptanceTestsTotal: 2,
      deliveredPoints: 3,
      sprints: 2,
      llmTimeMs: 1200,
      sandboxTimeMs: 300,
      wallTimeMs: 5000,
      turnsPerFeature: 4,
      tokensPerFeature: 300,
      tokensPerDoneFeature: 600,
      // points 3:1 = 0.75/0.25; turns 6:2 = the same split; tokens 300:300 = 0.5/0.5.
      estimateErrorTurns: 0,
      estimateErrorTokens: 0.25,
    });
    expect(runTokens(runMetrics(history))).toBe(600);
  });

  it('gives only what a history without end metrics (cancelled) supports', () => {
    const m = runMetrics([call(10, 1), { type: 'FeatureDone', data: {} }, { type: 'SimulationCancelled', data: {} }]);
    expect(m).toEqual({ tokensIn: 10, tokensOut: 1, llmCalls: 1, turns: 0, reviewRounds: 0, changesRequested: 0, integrationFailures: 0, mergeConflicts: 0, featuresDone: 1 });
    expect(m.featuresTotal).toBeUndefined();
  });

  it('leaves out ratios whose denominator is 0', () => {
    const m = runMetrics([{ type: 'SimulationFailed', data: { metrics: { ...endMetrics, featuresDone: 0, estimation: [] } } }]);
    expect(m.tokensPerDoneFeature).toBeUndefined();
    expect(m.estimateErrorTurns).toBeUndefined();
    expect(estimateError([[0, 3]])).toBeNull();
    expect(estimateError([[1, 0], [1, 4]])).toBe(0.5);
  });
});
