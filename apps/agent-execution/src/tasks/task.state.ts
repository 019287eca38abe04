import {
  AcceptanceTestsRun,
  AgentTaskEnded,
  AgentTaskResumed,
  AgentProgramRan,
  AgentTaskStarted,
  AgentTaskSuspended,
  AgentTurnTaken,
  BranchMerged,
  EventData,
  MergeConflicted,
  PairRolesSwapped,
  ReviewApproved,
  ReviewCommented,
  ReviewRequested,
  TaskSandboxReady,
  TaskStepInterrupted,
  ToolCallCompleted,
} from '@swe-sim/contracts';

export type TaskEvent =
  | { type: 'AgentTaskStarted'; data: EventData<typeof AgentTaskStarted> }
  | { type: 'TaskSandboxReady'; data: EventData<typeof TaskSandboxReady> }
  | { type: 'AgentTurnTaken'; data: EventData<typeof AgentTurnTaken> }
  | { type: 'ToolCallCompleted'; data: EventData<typeof ToolCallCompleted> }
  | { type: 'PairRolesSwapped'; data: EventData<typeof PairRolesSwapped> }
  | { type: 'ReviewRequested'; data: EventData<typeof ReviewRequested> }
  | { type: 'ReviewCommented'; data: EventData<typeof ReviewCommented> }
  | { type: 'ReviewApproved'; data: EventData<typeof ReviewApproved> }
  | { type: 'MergeConflicted'; data: EventData<typeof MergeConflicted> }
  | { type: 'AcceptanceTestsRun'; data: EventData<typeof AcceptanceTestsRun> }
  | { type: 'BranchMerged'; data: EventData<typeof BranchMerged> }
  | { type: 'AgentTaskEnded'; data: EventData<typeof AgentTaskEnded> }
  | { type: 'TaskStepInterrupted'; data: EventData<typeof TaskStepInterrupted> }
  | { type: 'AgentTaskSuspended'; data: EventData<typeof AgentTaskSuspended> }
  | { type: 'AgentTaskResumed'; data: EventData<typeof AgentTaskResumed> }
  | { type: 'AgentProgramRan'; data: EventData<typeof AgentProgramRan> };

/** What the agents have seen, in order: the material their prompts are built from. */
export type TranscriptEntry =
  | { kind: 'turn'; data: EventData<typeof AgentTurnTaken> }
  | { kind: 'tool'; data: EventData<typeof ToolCallCompleted> }
  | { kind: 'review'; reviewer: string; approved: boolean; comments: string }
  | { kind: 'notice'; text: string };

export type TaskPhase = 'working' | 'review-needed' | 'reviewing' | 'integrating' | 'merged' | 'ended';

export interface TaskState {
  task: EventData<typeof AgentTaskStarted> | null;
  /** `lost`: an infrastructure fault may have taken it; the next step makes the next generation. */
  sandbox: { sandboxId: string; generation: number; lost: boolean } | null;
  driver: string;
  navigator: string | null;
  phase: TaskPhase;
  turns: number;
  driverTurnsSinceSwap: number;
  promptTokens: number;
  completionTokens: number;
  consecutiveLlmFailures: number;
  transcript: TranscriptEntry[];
  /** Tool calls of the last turn still without a result, in order. */
  pendingToolCalls: EventData<typeof AgentTurnTaken>['toolCalls'];
  lastTurn: EventData<typeof AgentTurnTaken> | null;
  reviewRound: number;
  /** The diff the reviewer is asked about. */
  reviewDiff: string | null;
  integrationFailures: number;
  ended: EventData<typeof AgentTaskEnded> | null;
  /** Infrastructure faults of the step under way (0: its first attempt); reset by the step's events. */
  stepAttempts: number;
  /** Every TaskStepInterrupted of the task: what a retry's request ids and LLM call key derive from (unique, never reused). */
  interruptions: number;
  /** Infrastructure faults since the task started or was last resumed. */
  faults: number;
  /** Stopped by infrastructure, with no outcome, until its simulation is resumed. */
  suspended: EventData<typeof AgentTaskSuspended> | null;
  /** The simulation's resumption the task last went on after (0: never suspended). */
  resumption: number;
  /** An agent program's task: its runs so far, and the last one. */
  programRuns: number;
  lastProgramRun: EventData<typeof AgentProgramRan> | null;
}

export const initialTaskState: TaskState = {
  task: null,
  sandbox: null,
  driver: '',
  navigator: null,
  phase: 'working',
  turns: 0,
  driverTurnsSinceSwap: 0,
  promptTokens: 0,
  completionTokens: 0,
  consecutiveLlmFailures: 0,
  transcript: [],
  pendingToolCalls: [],
  lastTurn: null,
  reviewRound: 0,
  reviewDiff: null,
  integrationFailures: 0,
  ended: null,
  stepAttempts: 0,
  interruptions: 0,
  faults: 0,
  suspended: null,
  resumption: 0,
  programRuns: 0,
  lastProgramRun: null,
};

/**
 * The fold of a task stream. Infrastructure events (interruptions, suspension) only move the
 * runner's attempt counters and the sandbox: they never reach the transcript, so the agents see
 * the same conversation with faults as without.
 */
export function evolveTask(state: TaskState, event: TaskEvent): TaskState {
  const next = evolveStep(state, event);
  // A new sandbox after a loss is part of the retry, not the step going through.
  return RETRY_EVENTS.has(event.type) ? next : { ...next, stepAttempts: 0 };
}

const RETRY_EVENTS: ReadonlySet<TaskEvent['type']> = new Set(['TaskStepInterrupted', 'TaskSandboxReady']);

function evolveStep(state: TaskState, event: TaskEvent): TaskState {
  switch (event.type) {
    case 'AgentTaskStarted':
      return { ...initialTaskState, task: event.data, driver: event.data.driver, navigator: event.data.navigator };
    case 'TaskSandboxReady':
      return { ...state, sandbox: { sandboxId: event.data.sandboxId, generation: event.data.generation, lost: false } };
    case 'AgentTurnTaken': {
      const t = event.data;
      return {
        ...state,
        turns: state.turns + 1,
        driverTurnsSinceSwap: state.driverTurnsSinceSwap + (t.role === 'driver' ? 1 : 0),
        promptTokens: state.promptTokens + t.usage.promptTokens,
        completionTokens: state.completionTokens + t.usage.completionTokens,
        consecutiveLlmFailures: t.failure ? state.consecutiveLlmFailures + 1 : 0,
        transcript: [...state.transcript, { kind: 'turn', data: t }],
        pendingToolCalls: t.toolCalls,
        lastTurn: t,
      };
    }
    case 'ToolCallCompleted': {
      const r = event.data;
      const finished = r.name === 'finish' && r.ok;
      return {
        ...state,
        transcript: [...state.transcript, { kind: 'tool', data: r }],
        pendingToolCalls: state.pendingToolCalls.filter((c) => c.id !== r.toolCallId),
        phase: finished ? (state.task?.reviewer ? 'review-needed' : 'integrating') : state.phase,
      };
    }
    case 'PairRolesSwapped':
      return {
        ...state,
        driver: event.data.driver,
        navigator: event.data.navigator,
        driverTurnsSinceSwap: 0,
        transcript: [...state.transcript, { kind: 'notice', text: `Roles swapped: ${event.data.driver} drives now, ${event.data.navigator} navigates.` }],
      };
    case 'ReviewRequested':
      return { ...state, phase: 'reviewing', reviewRound: event.data.round, reviewDiff: event.data.diff };
    case 'ReviewCommented':
      return {
        ...state,
        phase: 'working',
        transcript: [...state.transcript, { kind: 'review', reviewer: event.data.reviewer, approved: false, comments: event.data.comments }],
      };
    case 'ReviewApproved':
      return {
        ...state,
        phase: 'integrating',
        transcript: [...state.transcript, { kind: 'review', reviewer: event.data.reviewer, approved: true, comments: event.data.comments }],
      };
    case 'MergeConflicted':
      return {
        ...state,
        phase: 'working',
        integrationFailures: state.integrationFailures + 1,
        transcript: [
          ...state.transcript,
          {
            kind: 'notice',
            text: `Merging the branch into main conflicts in: ${event.data.files.join(', ') || '(unknown files)'}. Run \`git merge main\` in your tree, resolve the conflicts, commit, run the tests and finish again.\n${event.data.output}`,
          },
        ],
      };
    case 'AcceptanceTestsRun':
      if (event.data.passed) return state;
      return {
        ...state,
        phase: 'working',
        integrationFailures: state.integrationFailures + 1,
        transcript: [
          ...state.transcript,
          { kind: 'notice', text: `On main merged with your branch, in a fresh sandbox, the acceptance tests fail (TESTS FAILED):\n${event.data.output}` },
        ],
      };
    case 'BranchMerged':
      return { ...state, phase: 'merged' };
    case 'AgentTaskEnded':
      return { ...state, phase: 'ended', ended: event.data };
    case 'TaskStepInterrupted':
      return {
        ...state,
        stepAttempts: event.data.attempt,
        interruptions: state.interruptions + 1,
        faults: state.faults + 1,
        sandbox: state.sandbox && event.data.sandboxLost ? { ...state.sandbox, lost: true } : state.sandbox,
      };
    case 'AgentTaskSuspended':
      // Its sandbox is released: a resumed task works in a new one.
      return { ...state, suspended: event.data, sandbox: state.sandbox && { ...state.sandbox, lost: true } };
    case 'AgentTaskResumed':
      return { ...state, suspended: null, resumption: event.data.resumption, faults: 0 };
    case 'AgentProgramRan': {
      // Its calls are the task's turns; a run that exits 0 hands the work to review and integration.
      const r = event.data;
      const finished = r.exitCode === 0 && !r.timedOut;
      return {
        ...state,
        turns: state.turns + r.calls,
        promptTokens: state.promptTokens + r.usage.promptTokens,
        completionTokens: state.completionTokens + r.usage.completionTokens,
        programRuns: r.run,
        lastProgramRun: r,
        phase: finished ? (state.task?.reviewer ? 'review-needed' : 'integrating') : state.phase,
      };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/**
 * Which retry a step's attempt is: 0 the first time (the ids of a run without faults), else the
 * task's count of interruptions — unique, so a retry never joins a request that already failed,
 * even after a new sandbox, and stable, so a re-run after a crash joins its own.
 */
export const retryOrdinal = (s: TaskState) => (s.stepAttempts ? s.interruptions : 0);
