import { randomUUID } from 'node:crypto';
import { nextAction, whoseTurn } from './task.decider';
import { TaskEvent, evolveTask, initialTaskState } from './task.state';
import { turnMessages } from './task.prompts';

const taskId = 'sim.f1.s1';
const started = (over: Record<string, unknown> = {}): TaskEvent => ({
  type: 'AgentTaskStarted',
  data: {
    taskId,
    simulationId: randomUUID(),
    sprint: 1,
    teamId: 't1',
    featureId: 'f1',
    driver: 'bob',
    navigator: 'ada',
    reviewer: 'cy',
    branch: 'feature/f1',
    workdir: '.worktrees/f1',
    budget: { maxTurns: 10, maxTokens: 100_000 },
    swapEveryTurns: 2,
    ...over,
  } as never,
});
const sandbox: TaskEvent = { type: 'TaskSandboxReady', data: { taskId, sandboxId: 'tx', generation: 0 } };
let turnNo = 0;
const turn = (speaker: string, role: 'driver' | 'navigator', calls: string[] = [], content: string | null = 'ok'): TaskEvent => {
  turnNo++;
  return {
    type: 'AgentTurnTaken',
    data: {
      taskId,
      turn: turnNo,
      speaker,
      role,
      llm: { agentId: `${speaker}/f1.s1`, seq: turnNo - 1 },
      content,
      toolCalls: calls.map((name, i) => ({ id: `call_${turnNo}_${i}`, name, arguments: '{}' })),
      usage: { promptTokens: 100, completionTokens: 10 },
      failure: null,
    },
  };
};
const result = (name: string, i = 0, over: Record<string, unknown> = {}): TaskEvent => ({
  type: 'ToolCallCompleted',
  data: { taskId, turn: turnNo, toolCallId: `call_${turnNo}_${i}`, name, ok: true, output: `${name} done`, durationMs: 1, ...over } as never,
});
const given = (events: TaskEvent[]) => events.reduce(evolveTask, initialTaskState);

beforeEach(() => (turnNo = 0));

describe('agent task: what to do next', () => {
  it('first gets a sandbox, then the navigator plans', () => {
    expect(nextAction(given([started()]))).toEqual({ kind: 'sandbox', generation: 0 });
    expect(nextAction(given([started(), sandbox]))).toEqual({ kind: 'llm', speaker: 'ada', role: 'navigator' });
  });

  it('alone, the driver takes every turn', () => {
    expect(nextAction(given([started({ navigator: null }), sandbox]))).toEqual({ kind: 'llm', speaker: 'bob', role: 'driver' });
  });

  it("runs the driver's tool calls in order before anyone speaks again", () => {
    const s = given([started(), sandbox, turn('ada', 'navigator'), turn('bob', 'driver', ['write_file', 'run_tests'])]);
    expect(nextAction(s)).toMatchObject({ kind: 'tool', call: { name: 'write_file' } });
    expect(nextAction(evolveTask(s, result('write_file', 0)))).toMatchObject({ kind: 'tool', call: { name: 'run_tests' } });
  });

  it('hands the turn to the navigator after a test run, and swaps roles every K driver turns', () => {
    const e = [started(), sandbox, turn('ada', 'navigator'), turn('bob', 'driver', ['run_tests'])];
    const afterTests = given([...e, result('run_tests', 0, { testsPassed: false })]);
    expect(whoseTurn(afterTests)).toEqual({ speaker: 'ada', role: 'navigator' });
    const twoDriverTurns = given([...e, result('run_tests'), turn('ada', 'navigator'), turn('bob', 'driver', ['write_file']), result('write_file')]);
    expect(nextAction(twoDriverTurns)).toEqual({ kind: 'swap' });
    const swapped = evolveTask(twoDriverTurns, { type: 'PairRolesSwapped', data: { taskId, turn: 4, driver: 'ada', navigator: 'bob' } });
    expect(nextAction(swapped)).toEqual({ kind: 'llm', speaker: 'ada', role: 'driver' });
  });

  it('after finish: review, then integration; changes requested send it back to work', () => {
    const e = [started(), sandbox, turn('ada', 'navigator'), turn('bob', 'driver', ['finish']), result('finish')];
    expect(nextAction(given(e))).toEqual({ kind: 'request-review' });
    const requested: TaskEvent = { type: 'ReviewRequested', data: { taskId, round: 1, reviewer: 'cy', diff: '+x', diffTruncated: false } };
    expect(nextAction(given([...e, requested]))).toEqual({ kind: 'review' });
    const verdict = { taskId, round: 1, reviewer: 'cy', comments: 'name it better', llm: { agentId: 'cy/x', seq: 0 }, fallback: false };
    expect(nextAction(given([...e, requested, { type: 'ReviewApproved', data: verdict }]))).toEqual({ kind: 'integrate' });
    expect(nextAction(given([...e, requested, { type: 'ReviewCommented', data: verdict }]))).toMatchObject({ kind: 'llm', role: 'driver' });
  });

  it('without a reviewer, finish goes straight to integration; a merge ends the task done', () => {
    const e = [started({ reviewer: null, navigator: null }), sandbox, turn('bob', 'driver', ['finish']), result('finish')];
    expect(nextAction(given(e))).toEqual({ kind: 'integrate' });
    const merged: TaskEvent = { type: 'BranchMerged', data: { taskId, branch: 'feature/f1', commit: 'abcdef1' } };
    expect(nextAction(given([...e, merged]))).toMatchObject({ kind: 'end', outcome: 'done' });
  });

  it('a failed acceptance run or a conflict goes back to the author, with the output to read', () => {
    const e = [started({ reviewer: null, navigator: null }), sandbox, turn('bob', 'driver', ['finish']), result('finish')];
    const failed: TaskEvent = { type: 'AcceptanceTestsRun', data: { taskId, sandboxId: 'a1', tests: ['t'], passed: false, exitCode: 1, output: 'AssertionError: 2 != 3' } };
    const s = given([...e, failed]);
    expect(nextAction(s)).toEqual({ kind: 'llm', speaker: 'bob', role: 'driver' });
    expect(JSON.stringify(turnMessages(s, 'bob', 'driver', ctx))).toContain('AssertionError: 2 != 3');
  });

  it('ends abandoned when the turns, the tokens, the LLM or integration run out — never loops', () => {
    const many = [started({ navigator: null, budget: { maxTurns: 2, maxTokens: 100_000 } }), sandbox, turn('bob', 'driver'), turn('bob', 'driver')];
    expect(nextAction(given(many))).toMatchObject({ kind: 'end', outcome: 'abandoned', code: 'BUDGET_EXHAUSTED' });
    const tokens = [started({ navigator: null, budget: { maxTurns: 50, maxTokens: 200 } }), sandbox, turn('bob', 'driver'), turn('bob', 'driver')];
    expect(nextAction(given(tokens))).toMatchObject({ code: 'BUDGET_EXHAUSTED' });
    const fail = (): TaskEvent => {
      const t = turn('bob', 'driver') as Extract<TaskEvent, { type: 'AgentTurnTaken' }>;
      return { ...t, data: { ...t.data, content: null, failure: { code: 'LLM_BACKEND_UNAVAILABLE', message: 'down' } } };
    };
    expect(nextAction(given([started({ navigator: null }), sandbox, fail(), fail(), fail()]))).toMatchObject({ code: 'LLM_FAILED' });
    const conflict: TaskEvent = { type: 'MergeConflicted', data: { taskId, files: ['a.py'], output: '' } };
    expect(nextAction(given([started({ navigator: null }), sandbox, conflict, conflict, conflict]))).toMatchObject({ code: 'TESTS_FAILING' });
  });

  it('nothing more once ended', () => {
    const ended: TaskEvent = { type: 'AgentTaskEnded', data: { taskId, outcome: 'done', code: null, reason: '', turns: 1, promptTokens: 1, completionTokens: 1 } };
    expect(nextAction(given([started(), sandbox, ended]))).toEqual({ kind: 'none' });
    expect(nextAction(given([]))).toEqual({ kind: 'none' });
  });
});

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

describe('the task of an agent program: what to do next', () => {
  const program = (over: Record<string, unknown> = {}) => started({ driver: 'prog', navigator: null, budget: { maxTurns: 5, maxTokens: 100_000 }, program: true, ...over });
  it('runs the program once its sandbox is ready, instead of an LLM turn', () => {
    expect(nextAction(given([program(), sandbox]))).toEqual({ kind: 'program', run: 1 });
    expect(nextAction(given([started({ driver: 'prog', navigator: null }), sandbox]))).toMatchObject({ kind: 'llm' });
  });

  it('a run that exits 0 goes to review (or straight to integration without a reviewer); its calls are the turns', () => {
    const s = given([program(), sandbox, ran(1)]);
    expect(nextAction(s)).toEqual({ kind: 'request-review' });
    expect(s).toMatchObject({ turns: 2, promptTokens: 100, completionTokens: 10, programRuns: 1 });
    expect(nextAction(given([program({ reviewer: null }), sandbox, ran(1)]))).toEqual({ kind: 'integrate' });
  });

  it('after a review asking for changes the program runs again', () => {
    const commented: TaskEvent = { type: 'ReviewCommented', data: { taskId, round: 1, reviewer: 'cy', comments: 'no', llm: { agentId: 'cy', seq: 0 }, fallback: false } as never };
    const requested: TaskEvent = { type: 'ReviewRequested', data: { taskId, round: 1, reviewer: 'cy', diff: 'd', diffTruncated: false } };
    expect(nextAction(given([program(), sandbox, ran(1), requested, commented]))).toEqual({ kind: 'program', run: 2 });
  });

  it('killed at its limit: AGENT_FAILED; exited non-zero: AGENT_FAILED, or BUDGET_EXHAUSTED when the budget is used', () => {
    expect(nextAction(given([program(), sandbox, ran(1, { exitCode: 124, timedOut: true })]))).toMatchObject({ kind: 'end', code: 'AGENT_FAILED' });
    expect(nextAction(given([program(), sandbox, ran(1, { exitCode: 1 })]))).toMatchObject({ kind: 'end', code: 'AGENT_FAILED' });
    expect(nextAction(given([program(), sandbox, ran(1, { exitCode: 3, calls: 5 })]))).toMatchObject({ kind: 'end', code: 'BUDGET_EXHAUSTED' });
  });

  it('a run that exits 0 having used the budget still goes to review; the budget ends the task only if more work is asked', () => {
    expect(nextAction(given([program(), sandbox, ran(1, { calls: 5 })]))).toEqual({ kind: 'request-review' });
    const failed: TaskEvent = { type: 'AcceptanceTestsRun', data: { taskId, sandboxId: 'i', tests: [], exitCode: 1, output: 'x', passed: false } };
    expect(nextAction(given([program({ reviewer: null }), sandbox, ran(1, { calls: 5 }), failed]))).toMatchObject({ kind: 'end', code: 'BUDGET_EXHAUSTED' });
  });
});

const persona = (personaId: string, name: string) => ({ personaId, name, role: 'engineer' as const, seniority: 'mid' as const, skills: { python: 3 }, traits: [] });
const ctx = {
  project: { name: 'p', stack: 'python', files: ['tests/test_x.py'] },
  feature: { featureId: 'f1', title: 'F1', description: 'd', acceptanceCriteria: ['c'], tests: ['tests/test_x.py::t'], skills: [] },
  personas: { bob: persona('bob', 'Bob'), ada: persona('ada', 'Ada') },
};

describe('agent task: prompts', () => {
  it("gives the speaker its own turns as assistant messages with their tool results, and the partner's as user messages", () => {
    const s = given([started(), sandbox, turn('ada', 'navigator', [], 'Start with a test.'), turn('bob', 'driver', ['run_tests']), result('run_tests', 0, { output: 'TESTS FAILED\nboom' })]);
    const forBob = turnMessages(s, 'bob', 'driver', ctx);
    expect(forBob[0]).toMatchObject({ role: 'system' });
    expect(forBob[0].content).toContain('feature f1');
    expect(forBob.slice(2).map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(forBob[2].content).toContain('Ada (navigator): Start with a test.');
    const forAda = turnMessages(s, 'ada', 'navigator', ctx);
    expect(forAda.slice(2).map((m) => m.role)).toEqual(['assistant', 'user', 'user']);
    expect(forAda.at(-1)!.content).toContain('TESTS FAILED');
  });

  it('nudges a driver whose last turn used no tool', () => {
    const s = given([started({ navigator: null }), sandbox, turn('bob', 'driver', [], 'I think we should…')]);
    expect(turnMessages(s, 'bob', 'driver', ctx).at(-1)).toMatchObject({ role: 'user', content: expect.stringContaining('Use the tools') });
  });

  it('is the same for the same history (replay relies on it)', () => {
    const events = [started(), sandbox, turn('ada', 'navigator'), turn('bob', 'driver', ['write_file']), result('write_file')];
    expect(turnMessages(given(events), 'bob', 'driver', ctx)).toEqual(turnMessages(given(events), 'bob', 'driver', ctx));
  });
});
