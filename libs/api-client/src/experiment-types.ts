/** The experiments API's response shapes (issue 11), as clients read them (see types.ts for why they are written out). */
export type ExperimentStatus = 'running' | 'paused' | 'cancelled' | 'completed';

export interface ExperimentSummary {
  experimentId: string;
  name: string;
  status: ExperimentStatus;
  createdAt: string;
  updatedAt: string;
}

export interface ExperimentRun {
  runId: string;
  variant: string;
  seed: number;
  projectId: string;
  status: 'pending' | 'running' | 'ended';
  attempt: number;
  simulationId: string | null;
  resumptions: number;
  retries: number;
  outcome: string | null;
  counted: boolean;
  tokens: number;
}

export interface Experiment {
  experimentId: string;
  name: string;
  status: ExperimentStatus;
  projectIds: string[];
  design: { type: 'seeds' } | { type: 'counterfactual'; from: string; atPosition: number };
  variants: { name: string; control: boolean; overrides: Record<string, unknown> }[];
  seeds: number[];
  settings: { concurrency: number; tokenBudget?: number | null; maxRetries: number };
  tokensUsed: number;
  progress: { total: number; pending: number; running: number; ended: number; counted: number };
  runs: ExperimentRun[];
}

export interface Interval {
  low: number;
  high: number;
  level: number;
}

export interface MetricSummary {
  n: number;
  mean: number;
  sd: number;
  median: number;
  min: number;
  max: number;
  ci: Interval | null;
}

export interface Comparison {
  paired: boolean;
  n: number;
  difference: number;
  ci: Interval | null;
  test: string;
  statistic: number;
  pValue: number;
  method: string;
  effectSize: number;
  effectSizeKind: string;
}

export interface Rate {
  successes: number;
  n: number;
  rate: number | null;
  ci: Interval;
}

export interface ExperimentResults {
  experimentId: string;
  name: string;
  status: ExperimentStatus;
  control: string;
  bootstrapSeed: number;
  level: number;
  runs: { total: number; counted: number; pending: number; running: number; failed: number; abandoned: number; cancelled: number };
  metrics: string[];
  variants: {
    name: string;
    control: boolean;
    n: number;
    metrics: Record<string, MetricSummary>;
    rates: { runsCompleted: Rate; featuresDone: Rate };
    againstControl: Record<string, Comparison> | null;
  }[];
}

export interface ExperimentCreated {
  experimentId: string;
  runs: number;
  position: number;
}
