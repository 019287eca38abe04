import { randomUUID } from 'node:crypto';
import { nextAction } from './task.decider';
import { TaskEvent, TaskState, evolveTask, initialTaskState } from './task.state';
import { turnMessages } from './task.prompts';
import { DEFAULT_RETRY_POLICY, asInfrastructureFault, backoffMs, isInfrastructureCode, retryPolicyFromEnv } from './infrastructure-fault';

const taskId = 'sim.f1.s1';
const simulationId = randomUUID();
const started: TaskEvent = {
  type: 'AgentTaskStarted',
  data: {
    taskId,
    simulationId,
    sprint: 1,
    teamId: 't1',
    featureId: 'f1',
    driver: 'bob',
    navigator: null,
    reviewer: null,
    branch: 'feature/f1',
    workdir: '.worktrees/f1',
    budget: { maxTurns: 10, maxTokens: 100_000 },
    swapEveryTurns: 2,
  },
};
const ready = (generation: number): TaskEvent => ({ type: 'TaskSandboxReady', data: { taskId, sandboxId: `tx${generation}`, generation } });
const turn: TaskEvent = {
  type: 'AgentTurnTaken',
  data: {
    taskId,
    turn: 1,
    speaker: 'bob',
    role: 'driver',
    llm: { agentId: 'bob/f1.s1', seq: 0 },
    content: 'writing it',
    toolCalls: [{ id: 'call_1_0', name: 'run_tests', arguments: '{}' }],
    usage: { promptTokens: 100, completionTokens: 10 },
    failure: null,
  },
};
const interrupted = (attempt: number, sandboxLost: boolean, step = 'tool'): TaskEvent => ({
  type: 'TaskStepInterrupted',
  data: { taskId, step, attempt, code: sandboxLost ? 'RPC_INTERRUPTED' : 'LLM_BACKEND_UNAVAILABLE', message: 'cut off', sandboxLost, backoffMs: 0 },
});
const fold = (events: TaskEvent[]): TaskState => events.reduce(evolveTask, initialTaskState);

describe('a task cut off by infrastructure faults', () => {
  it('makes a new sandbox after a lost one, then runs the same tool call again', () => {
    const s = fold([started, ready(0), turn, interrupted(1, true)]);
    expect(nextAction(s)).toEqual({ kind: 'sandbox', generation: 1 });
    const again = fold([started, ready(0), turn, interrupted(1, true), ready(1)]);
    expect(nextAction(again)).toEqual({ kind: 'tool', call: expect.objectContaining({ id: 'call_1_0' }) });
  });

  it('counts the attempts of the step across the new sandbox, and forgets them once the step goes through', () => {
    const s = fold([started, ready(0), turn, interrupted(1, true), ready(1), interrupted(2, true), ready(2)]);
    expect(s).toMatchObject({ stepAttempts: 2, interruptions: 2, faults: 2 });
    const done = evolveTask(s, { type: 'ToolCallCompleted', data: { taskId, turn: 1, toolCallId: 'call_1_0', name: 'run_tests', ok: true, output: 'TESTS PASSED', testsPassed: true, durationMs: 5 } });
    expect(done).toMatchObject({ stepAttempts: 0, interruptions: 2 });
  });

  it('keeps the sandbox after an LLM fault, and shows the agents nothing of it', () => {
    const clean = fold([started, ready(0), turn]);
    const faulty = fold([started, ready(0), interrupted(1, false, 'llm'), turn]);
    expect(faulty.sandbox).toEqual(clean.sandbox);
    expect(faulty.transcript).toEqual(clean.transcript);
    const ctx = { project: { name: 'p', stack: 'python', files: [] }, feature: { featureId: 'f1', title: 'F', description: 'd', acceptanceCriteria: [], tests: [] }, personas: {} } as never;
    expect(turnMessages(faulty, 'bob', 'driver', ctx)).toEqual(turnMessages(clean, 'bob', 'driver', ctx));
  });

  it('waits while suspended and goes on in a new sandbox when resumed', () => {
    const suspended = fold([started, ready(0), turn, { type: 'AgentTaskSuspended', data: { taskId, simulationId, step: 'tool', code: 'RPC_TIMEOUT', reason: 'down', resumptions: 0 } }]);
    expect(nextAction(suspended)).toEqual({ kind: 'none' });
    const resumed = evolveTask(suspended, { type: 'AgentTaskResumed', data: { taskId, resumption: 1 } });
    expect(resumed).toMatchObject({ suspended: null, resumption: 1, faults: 0 });
    expect(nextAction(resumed)).toEqual({ kind: 'sandbox', generation: 1 });
  });
});

describe('what counts as an infrastructure fault', () => {
  it.each(['RPC_INTERRUPTED', 'RPC_TIMEOUT', 'SANDBOX_DESTROYED', 'SANDBOX_ENGINE_ERROR', 'LLM_BACKEND_UNAVAILABLE', 'LLM_BACKEND_ERROR', 'LLM_RATE_LIMITED'])('%s is the machine, not the agent', (code) => {
    expect(isInfrastructureCode(code)).toBe(true);
  });

  it.each(['SANDBOX_FILE_NOT_FOUND', 'SANDBOX_PATH_OUTSIDE_WORKSPACE', 'LLM_OUTPUT_INVALID', 'LLM_BAD_REQUEST'])('%s is what the agent did', (code) => {
    expect(isInfrastructureCode(code)).toBe(false);
  });

  it('takes any error thrown by a step (Postgres, a plain Error) for a fault, but not a re-execution divergence', () => {
    expect(asInfrastructureFault(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }))).toMatchObject({ code: '53300', sandboxLost: true });
    expect(asInfrastructureFault(new Error('commit failed'))).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(asInfrastructureFault(Object.assign(new Error('503'), { code: 'LLM_BACKEND_UNAVAILABLE' }))).toMatchObject({ sandboxLost: false });
    expect(asInfrastructureFault(Object.assign(new Error('x'), { code: 'REPLAY_DIVERGENCE' }))).toBeNull();
  });

  it('backs off exponentially up to the cap, from the environment when given', () => {
    expect([1, 2, 3, 10].map((a) => backoffMs(DEFAULT_RETRY_POLICY, a))).toEqual([500, 1000, 2000, 30_000]);
    expect(retryPolicyFromEnv({ TASK_RETRY_MAX_ATTEMPTS: '3', TASK_RETRY_BASE_MS: '50', TASK_RETRY_MAX_MS: 'nope' })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 50 });
  });
});
