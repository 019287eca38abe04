import {
  EventData,
  ExperimentCancelled,
  ExperimentCompleted,
  ExperimentCreated,
  ExperimentExtended,
  ExperimentPaused,
  ExperimentResumed,
  ExperimentRunEnded,
  ExperimentRunResumed,
  ExperimentRunStarted,
  ExperimentVariant,
  INFRASTRUCTURE_UNAVAILABLE,
  SweSimError,
} from '@swe-sim/contracts';
import { derivedId } from '@swe-sim/event-store';

/**
 * An experiment as a pure decider: its stream folded gives every run's state; commands from the API
 * (create, pause, resume, cancel, extend) and from its process manager (start runs, a run's
 * simulation ended) decide the next events. Time and ids come in through the commands.
 */
export type ExperimentEvent =
  | { type: 'ExperimentCreated'; data: EventData<typeof ExperimentCreated> }
  | { type: 'ExperimentRunStarted'; data: EventData<typeof ExperimentRunStarted> }
  | { type: 'ExperimentRunResumed'; data: EventData<typeof ExperimentRunResumed> }
  | { type: 'ExperimentRunEnded'; data: EventData<typeof ExperimentRunEnded> }
  | { type: 'ExperimentPaused'; data: EventData<typeof ExperimentPaused> }
  | { type: 'ExperimentResumed'; data: EventData<typeof ExperimentResumed> }
  | { type: 'ExperimentCancelled'; data: EventData<typeof ExperimentCancelled> }
  | { type: 'ExperimentExtended'; data: EventData<typeof ExperimentExtended> }
  | { type: 'ExperimentCompleted'; data: EventData<typeof ExperimentCompleted> };

/** How a run's simulation ended, as the process manager read it from the simulation's history. */
export interface SimulationEnd {
  /** refused: the start or fork handler refused to start the attempt (a 4xx: its project or cut is gone). */
  kind: 'completed' | 'failed' | 'cancelled' | 'refused';
  code?: string;
  resumable?: boolean;
  tokens: number;
  metrics?: Record<string, number>;
}

export type ExperimentCommand =
  | { type: 'CreateExperiment'; data: EventData<typeof ExperimentCreated> }
  | { type: 'PauseExperiment'; reason: string }
  | { type: 'ResumeExperiment'; reason: string }
  | { type: 'CancelExperiment'; reason: string }
  | { type: 'ExtendExperiment'; seeds: number[]; variants: ExperimentVariant[] }
  /** Start what the concurrency, the budget and the status allow; complete when nothing is left. */
  | { type: 'StartRuns' }
  | { type: 'EndRun'; simulationId: string; end: SimulationEnd };

export type RunStatus = 'pending' | 'running' | 'ended';
export type RunOutcome = EventData<typeof ExperimentRunEnded>['outcome'];

export interface ExperimentRun {
  runId: string;
  variant: string;
  seed: number;
  projectId: string;
  status: RunStatus;
  /** Attempts started so far; the current one's simulation. */
  attempt: number;
  simulationId: string | null;
  /** Resumes of the current attempt, and attempts retried after infrastructure failures. */
  resumptions: number;
  retries: number;
  outcome: RunOutcome | null;
  counted: boolean;
  tokens: number;
  metrics: Record<string, number> | null;
}

export type ExperimentStatus = 'none' | 'running' | 'paused' | 'cancelled' | 'completed';

export interface ExperimentState {
  status: ExperimentStatus;
  created: EventData<typeof ExperimentCreated> | null;
  variants: ExperimentVariant[];
  seeds: number[];
  /** In the order they start: seed by seed, project by project, every variant — so pairs complete together. */
  runs: ExperimentRun[];
  /** Tokens of the attempts that ended. */
  tokensUsed: number;
}

export const initialExperimentState: ExperimentState = { status: 'none', created: null, variants: [], seeds: [], runs: [], tokensUsed: 0 };

/** Resumes of one attempt through the simulation's resume path before it is given up for a new attempt. */
export const RESUMES_PER_ATTEMPT = 2;
/** Failures that are the machine's, not the agents': retried, never counted. */
export const INFRASTRUCTURE_CODES: readonly string[] = [INFRASTRUCTURE_UNAVAILABLE, 'EVENT_DEAD_LETTERED'];

export const runIdOf = (variant: string, seed: number, projectId: string) => `${variant}/${seed}/${projectId}`;
/** An attempt's simulation id: derived, so a process manager killed at any line starts it once. */
export const runSimulationId = (experimentId: string, runId: string, attempt: number) => derivedId('experiment-run', experimentId, runId, attempt);

export class ExperimentNotFoundError extends SweSimError {
  constructor() {
    super('EXPERIMENT_NOT_FOUND', 'Experiment not found');
  }
}
export class ExperimentExistsError extends SweSimError {
  constructor(id: string) {
    super('EXPERIMENT_EXISTS', `Experiment ${id} already exists`, { experimentId: id });
  }
}
/** 409: the experiment has ended (cancelled, or completed for what cannot go on). */
export class ExperimentStatusError extends SweSimError {
  constructor(status: ExperimentStatus, what: string) {
    super('EXPERIMENT_ENDED', `The experiment is ${status}: it cannot ${what}`, { status });
  }
}
/** 400 naming the field: an extension that repeats what the experiment has. */
export class ExperimentExtensionError extends SweSimError {
  constructor(field: string, message: string) {
    super('VALIDATION_FAILED', `${field}: ${message}`, { field });
  }
}

function runsFor(variants: readonly ExperimentVariant[], seeds: readonly number[], projectIds: readonly string[]): ExperimentRun[] {
  const runs: ExperimentRun[] = [];
  for (const seed of seeds) {
    for (const projectId of projectIds) {
      for (const v of variants) {
        runs.push({
          runId: runIdOf(v.name, seed, projectId),
          variant: v.name,
          seed,
          projectId,
          status: 'pending',
          attempt: 0,
          simulationId: null,
          resumptions: 0,
          retries: 0,
          outcome: null,
          counted: false,
          tokens: 0,
          metrics: null,
        });
      }
    }
  }
  return runs;
}

export function evolveExperiment(state: ExperimentState, event: ExperimentEvent): ExperimentState {
  const withRun = (runId: string, change: (r: ExperimentRun) => Partial<ExperimentRun>) => ({
    ...state,
    runs: state.runs.map((r) => (r.runId === runId ? { ...r, ...change(r) } : r)),
  });
  switch (event.type) {
    case 'ExperimentCreated': {
      const d = event.data;
      return { status: 'running', created: d, variants: d.variants, seeds: d.seeds, runs: runsFor(d.variants, d.seeds, d.projectIds), tokensUsed: 0 };
    }
    case 'ExperimentExtended': {
      const d = event.data;
      const projectIds = state.created!.projectIds;
      const variants = [...state.variants, ...d.variants];
      const seeds = [...state.seeds, ...d.seeds];
      // New seeds under every variant (old and new), and old seeds under the new variants.
      const added = [...runsFor(d.variants, state.seeds, projectIds), ...runsFor(variants, d.seeds, projectIds)];
      return { ...state, status: state.status === 'completed' ? 'running' : state.status, variants, seeds, runs: [...state.runs, ...added] };
    }
    case 'ExperimentRunStarted':
      return withRun(event.data.runId, () => ({ status: 'running', attempt: event.data.attempt, simulationId: event.data.simulationId, resumptions: 0 }));
    case 'ExperimentRunResumed':
      return withRun(event.data.runId, () => ({ resumptions: event.data.resumption }));
    case 'ExperimentRunEnded': {
      const d = event.data;
      const next = withRun(d.runId, (r) =>
        d.outcome === 'retried'
          ? { status: 'pending', retries: r.retries + 1, tokens: r.tokens + d.tokens }
          : { status: 'ended', outcome: d.outcome, counted: d.counted, tokens: r.tokens + d.tokens, metrics: d.metrics ?? null },
      );
      return { ...next, tokensUsed: state.tokensUsed + d.tokens };
    }
    case 'ExperimentPaused':
      return { ...state, status: 'paused' };
    case 'ExperimentResumed':
      return { ...state, status: 'running' };
    case 'ExperimentCancelled':
      return { ...state, status: 'cancelled' };
    case 'ExperimentCompleted':
      return { ...state, status: 'completed' };
  }
}

export function decideExperiment(command: ExperimentCommand, state: ExperimentState): ExperimentEvent[] {
  if (command.type === 'CreateExperiment') {
    if (state.status !== 'none') throw new ExperimentExistsError(command.data.experimentId);
    return [{ type: 'ExperimentCreated', data: command.data }];
  }
  if (state.status === 'none' || !state.created) throw new ExperimentNotFoundError();
  const experimentId = state.created.experimentId;
  const ended = state.status === 'cancelled' || state.status === 'completed';
  switch (command.type) {
    case 'PauseExperiment':
      if (state.status === 'paused') return [];
      if (ended) throw new ExperimentStatusError(state.status, 'be paused');
      return [{ type: 'ExperimentPaused', data: { experimentId, reason: command.reason } }];
    case 'ResumeExperiment':
      if (state.status === 'running') return [];
      if (ended) throw new ExperimentStatusError(state.status, 'be resumed');
      return [{ type: 'ExperimentResumed', data: { experimentId, reason: command.reason } }];
    case 'CancelExperiment':
      if (state.status === 'cancelled') return [];
      if (ended) throw new ExperimentStatusError(state.status, 'be cancelled');
      return [{ type: 'ExperimentCancelled', data: { experimentId, reason: command.reason } }];
    case 'ExtendExperiment':
      return extend(state, experimentId, command.seeds, command.variants);
    case 'StartRuns':
      return startRuns(state, experimentId);
    case 'EndRun':
      return endRun(state, experimentId, command.simulationId, command.end);
  }
}

function extend(state: ExperimentState, experimentId: string, seeds: number[], variants: ExperimentVariant[]): ExperimentEvent[] {
  if (state.status === 'cancelled') throw new ExperimentStatusError(state.status, 'be extended');
  const seed = seeds.find((s) => state.seeds.includes(s));
  if (seed !== undefined) throw new ExperimentExtensionError('seeds', `seed ${seed} is already in the experiment`);
  const variant = variants.find((v) => state.variants.some((o) => o.name === v.name));
  if (variant) throw new ExperimentExtensionError('variants', `variant ${variant.name} is already in the experiment`);
  if (variants.some((v) => v.control)) throw new ExperimentExtensionError('variants', 'the experiment has its control already');
  if (seeds.length === 0 && variants.length === 0) throw new ExperimentExtensionError('seeds', 'give seeds or variants to add');
  return [{ type: 'ExperimentExtended', data: { experimentId, seeds, variants } }];
}

function startRuns(state: ExperimentState, experimentId: string): ExperimentEvent[] {
  if (state.status !== 'running') return [];
  const { concurrency, tokenBudget } = state.created!.settings;
  const running = state.runs.filter((r) => r.status === 'running').length;
  const overBudget = tokenBudget !== null && state.tokensUsed >= tokenBudget;
  const pending = overBudget ? [] : state.runs.filter((r) => r.status === 'pending');
  const events: ExperimentEvent[] = pending.slice(0, Math.max(0, concurrency - running)).map((r) => {
    const attempt = r.attempt + 1;
    return {
      type: 'ExperimentRunStarted',
      data: { experimentId, runId: r.runId, attempt, simulationId: runSimulationId(experimentId, r.runId, attempt), variant: r.variant, seed: r.seed, projectId: r.projectId },
    };
  });
  // Over the budget, the runs not started are left as they are: the experiment ends with what it has.
  if (running === 0 && events.length === 0) {
    const runsCounted = state.runs.filter((r) => r.counted).length;
    const runsAbandoned = state.runs.filter((r) => r.outcome === 'abandoned').length;
    events.push({ type: 'ExperimentCompleted', data: { experimentId, runsCounted, runsAbandoned } });
  }
  return events;
}

function endRun(state: ExperimentState, experimentId: string, simulationId: string, end: SimulationEnd): ExperimentEvent[] {
  const run = state.runs.find((r) => r.simulationId === simulationId && r.status === 'running');
  if (!run) return []; // an earlier attempt's, or already folded
  const ref = { experimentId, runId: run.runId, attempt: run.attempt, simulationId };
  const ended = (outcome: RunOutcome, counted: boolean): ExperimentEvent => ({
    type: 'ExperimentRunEnded',
    data: { ...ref, outcome, counted, tokens: end.tokens, ...(end.code ? { code: end.code } : {}), ...(counted && end.metrics ? { metrics: end.metrics } : {}) },
  });
  if (end.kind === 'completed') return [ended('completed', true)];
  if (end.kind === 'cancelled') return [ended('cancelled', false)];
  // Another attempt would be refused the same way.
  if (end.kind === 'refused') return [ended('abandoned', false)];
  if (!end.code || !INFRASTRUCTURE_CODES.includes(end.code)) return [ended('failed', true)];
  if (state.status === 'cancelled') return [ended('cancelled', false)];
  if (end.resumable && end.code === INFRASTRUCTURE_UNAVAILABLE && run.resumptions < RESUMES_PER_ATTEMPT) {
    return [{ type: 'ExperimentRunResumed', data: { ...ref, resumption: run.resumptions + 1, code: end.code } }];
  }
  return [ended(run.retries < state.created!.settings.maxRetries ? 'retried' : 'abandoned', false)];
}

export const experimentDecider = { decide: decideExperiment, evolve: evolveExperiment, initialState: initialExperimentState };
