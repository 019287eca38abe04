import { EventData, AgentTurnTaken } from '@swe-sim/contracts';
import { TaskState } from './task.state';

/** At most this many LLM failures in a row (unusable answers), review rounds, failed integrations. */
export const TASK_LIMITS = { llmFailuresInARow: 3, reviewRounds: 2, integrationFailures: 3 } as const;

export type TaskAction =
  | { kind: 'none' }
  | { kind: 'sandbox'; generation: number }
  | { kind: 'llm'; speaker: string; role: 'driver' | 'navigator' }
  | { kind: 'tool'; call: EventData<typeof AgentTurnTaken>['toolCalls'][number] }
  | { kind: 'swap' }
  | { kind: 'request-review' }
  | { kind: 'review' }
  | { kind: 'integrate' }
  | { kind: 'program'; run: number }
  | { kind: 'end'; outcome: 'done' | 'abandoned'; code: string | null; reason: string };

/**
 * What the task does next, from its state alone (a fold of its stream). Pure: the runner performs
 * the action, records the result as events, and asks again. Budgets and limits turn into a
 * recorded end, so a task never loops or hangs.
 */
export function nextAction(s: TaskState): TaskAction {
  const task = s.task;
  // A suspended task waits for its simulation's resume (the runner records AgentTaskResumed).
  if (!task || s.phase === 'ended' || s.suspended) return { kind: 'none' };
  if (s.phase === 'merged') return { kind: 'end', outcome: 'done', code: null, reason: 'merged into main with the acceptance tests passing' };
  if (!s.sandbox) return { kind: 'sandbox', generation: 0 };
  // Lost to an infrastructure fault: a new one on the same repository, then the step again.
  if (s.sandbox.lost) return { kind: 'sandbox', generation: s.sandbox.generation + 1 };
  if (s.pendingToolCalls.length > 0) return { kind: 'tool', call: s.pendingToolCalls[0] };
  if (s.phase === 'review-needed') return { kind: 'request-review' };
  if (s.phase === 'reviewing') return { kind: 'review' };
  if (s.phase === 'integrating') return { kind: 'integrate' };

  // working
  if (s.integrationFailures >= TASK_LIMITS.integrationFailures) {
    return { kind: 'end', outcome: 'abandoned', code: 'TESTS_FAILING', reason: `integration failed ${s.integrationFailures} times` };
  }
  if (s.reviewRound >= TASK_LIMITS.reviewRounds && lastReviewRejected(s)) {
    return { kind: 'end', outcome: 'abandoned', code: 'REVIEW_REJECTED', reason: `the reviewer asked for changes ${s.reviewRound} times` };
  }
  const failedRun = task.program ? programRunFailure(s) : null;
  if (failedRun) return failedRun;
  if (s.turns >= task.budget.maxTurns) {
    return { kind: 'end', outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', reason: `used all ${task.budget.maxTurns} turns` };
  }
  if (s.promptTokens + s.completionTokens >= task.budget.maxTokens) {
    return { kind: 'end', outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', reason: `used ${s.promptTokens + s.completionTokens} of ${task.budget.maxTokens} tokens` };
  }
  if (s.consecutiveLlmFailures >= TASK_LIMITS.llmFailuresInARow) {
    return { kind: 'end', outcome: 'abandoned', code: 'LLM_FAILED', reason: `${s.consecutiveLlmFailures} LLM calls failed in a row` };
  }
  if (task.program) return { kind: 'program', run: s.programRuns + 1 };
  if (s.navigator && s.driverTurnsSinceSwap >= task.swapEveryTurns) return { kind: 'swap' };
  return { kind: 'llm', ...whoseTurn(s) };
}

/**
 * With a navigator: the navigator plans first and reviews after each test run of the driver; the
 * driver does the rest. Alone: the driver every turn.
 */
export function whoseTurn(s: TaskState): { speaker: string; role: 'driver' | 'navigator' } {
  const navigator = s.navigator;
  if (!navigator) return { speaker: s.driver, role: 'driver' };
  const last = s.lastTurn;
  if (!last) return { speaker: navigator, role: 'navigator' };
  if (last.role === 'driver' && last.toolCalls.some((c) => c.name === 'run_tests')) return { speaker: navigator, role: 'navigator' };
  return { speaker: s.driver, role: 'driver' };
}

/**
 * An agent program's last run did not hand its work on (a run that exits 0 moves the task to review
 * or integration): killed at its time limit, or exited non-zero — out of budget when it had used it
 * all (the endpoint refused it), else failed.
 */
function programRunFailure(s: TaskState): TaskAction | null {
  const r = s.lastProgramRun;
  if (!r) return null;
  if (r.timedOut) return { kind: 'end', outcome: 'abandoned', code: 'AGENT_FAILED', reason: `run ${r.run} of the program was killed at its time limit (exit code ${r.exitCode})` };
  if (r.exitCode === 0) return null;
  if (budgetUsed(s)) return { kind: 'end', outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', reason: `the program used its budget (${s.turns} turns, ${s.promptTokens + s.completionTokens} tokens) and exited with ${r.exitCode}` };
  return { kind: 'end', outcome: 'abandoned', code: 'AGENT_FAILED', reason: `run ${r.run} of the program exited with ${r.exitCode}` };
}

const budgetUsed = (s: TaskState) => s.turns >= s.task!.budget.maxTurns || s.promptTokens + s.completionTokens >= s.task!.budget.maxTokens;

function lastReviewRejected(s: TaskState): boolean {
  for (let i = s.transcript.length - 1; i >= 0; i--) {
    const e = s.transcript[i];
    if (e.kind === 'review') return !e.approved;
  }
  return false;
}
