import { randomUUID } from 'node:crypto';
import { nextAction } from '../tasks/task.decider';
import { TaskEvent, evolveTask, initialTaskState } from '../tasks/task.state';

const taskId = 'sim.f1.s1';
const given = (...events: TaskEvent[]) => events.reduce(evolveTask, initialTaskState);
const started = (over: Record<string, unknown> = {}): TaskEvent => ({
  type: 'AgentTaskStarted',
  data: {
    taskId,
    simulationId: randomUUID(),
    sprint: 1,
    teamId: 't1',
    featureId: 'f1',
    driver: 'prog',
    navigator: null,
    reviewer: 'cy',
    branch: 'feature/f1',
    workdir: '.worktrees/f1',
    budget: { maxTurns: 5, maxTokens: 100_000 },
    swapEveryTurns: 2,
    program: true,
    ...over,
  } as never,
});
const sandbox: TaskEvent = { type: 'TaskSandboxReady', data: { taskId, sandboxId: 'tx', generation: 0 } };
const ran = (run: number, over: Record<string, unknown> = {}): TaskEvent => ({
  type: 'AgentProgramRan',
  data: {
    taskId,
    run,
    personaId: 'prog',
    agentId: `prog/f1.s1.program${run}`,
    exitCode: 0,
    timedOut: false,
    calls: 2,
    usage: { promptTokens: 100, completionTokens: 10 },
    output: '',
    durationMs: 10,
    ...over,
  } as never,
});

describe('the task of an agent program (given events, then the next action)', () => {
  it('runs the program once its sandbox is ready, instead of an LLM turn', () => {
    expect(nextAction(given(started(), sandbox))).toEqual({ kind: 'program', run: 1 });
    expect(nextAction(given(started({ program: undefined }), sandbox))).toMatchObject({ kind: 'llm' });
  });

  it('a run that exits 0 goes to review (or straight to integration without a reviewer); its calls are the turns', () => {
    const s = given(started(), sandbox, ran(1));
    expect(nextAction(s)).toEqual({ kind: 'request-review' });
    expect(s).toMatchObject({ turns: 2, promptTokens: 100, completionTokens: 10, programRuns: 1 });
    expect(nextAction(given(started({ reviewer: null }), sandbox, ran(1)))).toEqual({ kind: 'integrate' });
  });

  it('after a review asking for changes the program runs again', () => {
    const commented: TaskEvent = { type: 'ReviewCommented', data: { taskId, round: 1, reviewer: 'cy', comments: 'no', llm: { agentId: 'cy', seq: 0 }, fallback: false } as never };
    const requested: TaskEvent = { type: 'ReviewRequested', data: { taskId, round: 1, reviewer: 'cy', diff: 'd', diffTruncated: false } };
    expect(nextAction(given(started(), sandbox, ran(1), requested, commented))).toEqual({ kind: 'program', run: 2 });
  });

  it('killed at its limit: AGENT_FAILED; exited non-zero: AGENT_FAILED, or BUDGET_EXHAUSTED when the budget is used', () => {
    expect(nextAction(given(started(), sandbox, ran(1, { exitCode: 124, timedOut: true })))).toMatchObject({ kind: 'end', code: 'AGENT_FAILED' });
    expect(nextAction(given(started(), sandbox, ran(1, { exitCode: 1 })))).toMatchObject({ kind: 'end', code: 'AGENT_FAILED' });
    expect(nextAction(given(started(), sandbox, ran(1, { exitCode: 3, calls: 5 })))).toMatchObject({ kind: 'end', code: 'BUDGET_EXHAUSTED' });
  });

  it('a run that exits 0 having used the budget still goes to review; the budget ends the task only if more work is asked', () => {
    expect(nextAction(given(started(), sandbox, ran(1, { calls: 5 })))).toEqual({ kind: 'request-review' });
    const failed: TaskEvent = { type: 'AcceptanceTestsRun', data: { taskId, sandboxId: 'i', tests: [], exitCode: 1, output: 'x', passed: false } };
    expect(nextAction(given(started({ reviewer: null }), sandbox, ran(1, { calls: 5 }), failed))).toMatchObject({ kind: 'end', code: 'BUDGET_EXHAUSTED' });
  });
});
