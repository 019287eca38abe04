import { SimulationMetrics } from '@swe-sim/contracts';

/** The events of a simulation's history a run's metrics come from (any others are ignored). */
export const METRIC_EVENT_TYPES = [
  'SimulationCompleted',
  'SimulationFailed',
  'SprintEnded',
  'LlmCallCompleted',
  'AgentTaskEnded',
  'ReviewRequested',
  'ReviewCommented',
  'AcceptanceTestsRun',
  'MergeConflicted',
  'FeatureDone',
  'FeatureAbandoned',
] as const;

/**
 * One run's metrics, from its history: a number per name (a metric the history cannot give is
 * absent, never a made-up 0). Pure.
 * - features: featuresTotal, featuresDone, featuresDoneRate, acceptanceTestsPassed, acceptanceTestsTotal;
 * - delivery: deliveredPoints, sprints, velocityPerSprint (mean of SprintEnded.velocity);
 * - cost: tokensIn, tokensOut (every completed LLM call), tokensIn.<role>, tokensOut.<role>, llmCalls,
 *   llmTimeMs, sandboxTimeMs, wallTimeMs, turns, turnsPerFeature, tokensPerFeature, tokensPerDoneFeature;
 * - estimation: estimateErrorTurns / estimateErrorTokens — how far the shares of the agreed points are
 *   from the shares of the turns (tokens) the features took, as total variation distance (0 = the points
 *   predicted the effort's split exactly, 1 = not at all);
 * - process: reviewRounds, changesRequested, integrationFailures (acceptance runs that failed), mergeConflicts.
 */
export function runMetrics(history: ReadonlyArray<{ type: string; data: unknown }>): Record<string, number> {
  let end: SimulationMetrics | undefined;
  let tokensIn = 0;
  let tokensOut = 0;
  let llmCalls = 0;
  let turns = 0;
  const count = { reviewRounds: 0, changesRequested: 0, integrationFailures: 0, mergeConflicts: 0, featuresDone: 0, featuresAbandoned: 0 };
  const velocities: number[] = [];
  for (const e of history) {
    const d = e.data as any;
    switch (e.type) {
      case 'SimulationCompleted':
      case 'SimulationFailed':
        if (d.metrics) end = d.metrics;
        break;
      case 'SprintEnded':
        velocities.push(d.velocity);
        break;
      case 'LlmCallCompleted':
        llmCalls++;
        tokensIn += d.usage.promptTokens;
        tokensOut += d.usage.completionTokens;
        break;
      case 'AgentTaskEnded':
        turns += d.turns;
        break;
      case 'ReviewRequested':
        count.reviewRounds++;
        break;
      case 'ReviewCommented':
        count.changesRequested++;
        break;
      case 'AcceptanceTestsRun':
        if (!d.passed) count.integrationFailures++;
        break;
      case 'MergeConflicted':
        count.mergeConflicts++;
        break;
      case 'FeatureDone':
        count.featuresDone++;
        break;
      case 'FeatureAbandoned':
        count.featuresAbandoned++;
        break;
    }
  }
  const m: Record<string, number> = {
    tokensIn,
    tokensOut,
    llmCalls,
    turns,
    reviewRounds: count.reviewRounds,
    changesRequested: count.changesRequested,
    integrationFailures: count.integrationFailures,
    mergeConflicts: count.mergeConflicts,
  };
  if (velocities.length) m.velocityPerSprint = velocities.reduce((a, b) => a + b, 0) / velocities.length;
  if (!end) {
    // No end metrics (cancelled): what the history says of the features that ended.
    m.featuresDone = count.featuresDone;
    return m;
  }
  m.featuresTotal = end.featuresTotal;
  m.featuresDone = end.featuresDone;
  if (end.featuresTotal > 0) m.featuresDoneRate = end.featuresDone / end.featuresTotal;
  m.acceptanceTestsPassed = end.acceptanceTestsPassed;
  m.acceptanceTestsTotal = end.acceptanceTestsTotal;
  m.deliveredPoints = end.sprints.reduce((n, s) => n + s.deliveredPoints, 0);
  m.sprints = end.sprints.length;
  m.llmTimeMs = end.llmTimeMs;
  m.sandboxTimeMs = end.sandboxTimeMs;
  m.wallTimeMs = end.wallTimeMs;
  for (const [role, t] of Object.entries(end.tokensByRole)) {
    m[`tokensIn.${role}`] = t.prompt;
    m[`tokensOut.${role}`] = t.completion;
  }
  if (end.featuresTotal > 0) {
    m.turnsPerFeature = turns / end.featuresTotal;
    m.tokensPerFeature = (tokensIn + tokensOut) / end.featuresTotal;
  }
  if (end.featuresDone > 0) m.tokensPerDoneFeature = (tokensIn + tokensOut) / end.featuresDone;
  const turnsError = estimateError(end.estimation.map((f) => [f.points, f.turns]));
  const tokensError = estimateError(end.estimation.map((f) => [f.points, f.tokens]));
  if (turnsError !== null) m.estimateErrorTurns = turnsError;
  if (tokensError !== null) m.estimateErrorTokens = tokensError;
  return m;
}

/** Total variation distance between the shares of the estimates and of the actual effort; null when either sums to 0. */
export function estimateError(pairs: ReadonlyArray<readonly [number, number]>): number | null {
  const points = pairs.reduce((n, [p]) => n + p, 0);
  const actual = pairs.reduce((n, [, a]) => n + a, 0);
  if (points <= 0 || actual <= 0) return null;
  return pairs.reduce((n, [p, a]) => n + Math.abs(p / points - a / actual), 0) / 2;
}

/** Tokens a run used (prompt and completion of every completed call): what the experiment's budget counts. */
export const runTokens = (m: Record<string, number>) => (m.tokensIn ?? 0) + (m.tokensOut ?? 0);
