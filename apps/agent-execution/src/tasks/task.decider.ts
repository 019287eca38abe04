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
  if (s.turns >= task.budget.maxTurns) {
    return { kind: 'end', outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', reason: `used all ${task.budget.maxTurns} turns` };
  }
  if (s.promptTokens + s.completionTokens >= task.budget.maxTokens) {
    return { kind: 'end', outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', reason: `used ${s.promptTokens + s.completionTokens} of ${task.budget.maxTokens} tokens` };
  }
  if (s.consecutiveLlmFailures >= TASK_LIMITS.llmFailuresInARow) {
    return { kind: 'end', outcome: 'abandoned', code: 'LLM_FAILED', reason: `${s.consecutiveLlmFailures} LLM calls failed in a row` };
  }
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

function lastReviewRejected(s: TaskState): boolean {
  for (let i = s.transcript.length - 1; i >= 0; i--) {
    const e = s.transcript[i];
    if (e.kind === 'review') return !e.approved;
  }
  return false;
}
