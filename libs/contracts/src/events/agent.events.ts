import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { slugIdSchema } from './common';

/**
 * An agent task: a feature built in one sprint by a driver (and a navigator when pairing), then
 * reviewed and integrated. Stream task-<taskId>. Every LLM turn and every tool result is an event,
 * so the task's state — and the next thing to do — is a fold over its stream
 * (apps/agent-execution/src/tasks/task.decider.ts), and a re-run after a crash resumes where the
 * stream ends.
 */
export const taskStream = (taskId: string) => `task-${taskId}`;
export const taskIdOf = (simulationId: string, featureId: string, sprint: number) => `${simulationId}.${featureId}.s${sprint}`;

const taskId = z.string().min(1).max(200);
const text = (max: number) => z.string().max(max);

export const AgentTaskStarted = defineEvent({
  type: 'AgentTaskStarted',
  version: 1,
  schema: z
    .object({
      taskId,
      simulationId: z.string().uuid(),
      sprint: z.number().int().positive(),
      teamId: slugIdSchema,
      featureId: slugIdSchema,
      driver: slugIdSchema,
      navigator: slugIdSchema.nullable(),
      reviewer: slugIdSchema.nullable(),
      /** feature/<featureId>, worked on in the repository folder `workdir`. */
      branch: z.string().min(1),
      workdir: z.string().min(1),
      budget: z.object({ maxTurns: z.number().int().positive(), maxTokens: z.number().int().positive() }).strict(),
      swapEveryTurns: z.number().int().positive(),
      /** The driver is an agent program: each step runs it instead of the built-in loop (absent: built-in). */
      program: z.literal(true).optional(),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/** The task has a sandbox (a new one after the previous was lost). */
export const TaskSandboxReady = defineEvent({
  type: 'TaskSandboxReady',
  version: 1,
  schema: z.object({ taskId, sandboxId: slugIdSchema, generation: z.number().int().nonnegative() }).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

export const agentToolCallSchema = z.object({ id: z.string().min(1).max(200), name: z.string().max(200), arguments: text(200_000) }).strict();

/** One LLM turn of one agent in the task: what it said and the tools it called, or why it failed. */
export const AgentTurnTaken = defineEvent({
  type: 'AgentTurnTaken',
  version: 1,
  schema: z
    .object({
      taskId,
      turn: z.number().int().positive(),
      speaker: slugIdSchema,
      role: z.enum(['driver', 'navigator']),
      /** The recorded LLM call (agentId, seq) this turn came from. */
      llm: z.object({ agentId: z.string(), seq: z.number().int().nonnegative() }).strict(),
      content: text(100_000).nullable(),
      toolCalls: z.array(agentToolCallSchema).max(50),
      usage: z.object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative() }).strict(),
      failure: z.object({ code: z.string(), message: text(4000) }).strict().nullable(),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

export const ToolCallCompleted = defineEvent({
  type: 'ToolCallCompleted',
  version: 1,
  schema: z
    .object({
      taskId,
      turn: z.number().int().positive(),
      toolCallId: z.string().min(1).max(200),
      name: z.string().max(200),
      ok: z.boolean(),
      /** What the agent reads back (bounded; the full output is in the sandbox's events). */
      output: text(20_000),
      /** run_tests: whether this feature's acceptance tests passed. */
      testsPassed: z.boolean().optional(),
      durationMs: z.number().int().nonnegative(),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

export const PairRolesSwapped = defineEvent({
  type: 'PairRolesSwapped',
  version: 1,
  schema: z.object({ taskId, turn: z.number().int().positive(), driver: slugIdSchema, navigator: slugIdSchema }).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

export const ReviewRequested = defineEvent({
  type: 'ReviewRequested',
  version: 1,
  schema: z.object({ taskId, round: z.number().int().positive(), reviewer: slugIdSchema, diff: text(60_000), diffTruncated: z.boolean() }).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

const reviewVerdict = {
  taskId,
  round: z.number().int().positive(),
  reviewer: slugIdSchema,
  comments: text(8000),
  llm: z.object({ agentId: z.string(), seq: z.number().int().nonnegative() }).strict(),
  /** The reviewer's LLM gave nothing usable: a recorded default verdict. */
  fallback: z.boolean(),
};

/** The reviewer asks for changes; the author works on. */
export const ReviewCommented = defineEvent({
  type: 'ReviewCommented',
  version: 1,
  schema: z.object(reviewVerdict).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

export const ReviewApproved = defineEvent({
  type: 'ReviewApproved',
  version: 1,
  schema: z.object(reviewVerdict).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/** Merging the branch with main conflicts: the author resolves it. */
export const MergeConflicted = defineEvent({
  type: 'MergeConflicted',
  version: 1,
  schema: z.object({ taskId, files: z.array(z.string()).max(500), output: text(8000) }).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/** The acceptance tests on main merged with the branch, in a fresh sandbox. */
export const AcceptanceTestsRun = defineEvent({
  type: 'AcceptanceTestsRun',
  version: 1,
  schema: z
    .object({
      taskId,
      sandboxId: slugIdSchema,
      /** This feature's tests and those of every feature already done (nothing may break). */
      tests: z.array(z.string()),
      passed: z.boolean(),
      exitCode: z.number().int().nullable(),
      output: text(20_000),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

export const BranchMerged = defineEvent({
  type: 'BranchMerged',
  version: 1,
  schema: z.object({ taskId, branch: z.string(), commit: z.string().regex(/^[0-9a-f]{7,64}$/) }).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

export const AgentTaskEnded = defineEvent({
  type: 'AgentTaskEnded',
  version: 1,
  schema: z
    .object({
      taskId,
      outcome: z.enum(['done', 'abandoned']),
      code: z.string().nullable(),
      reason: text(4000),
      turns: z.number().int().nonnegative(),
      promptTokens: z.number().int().nonnegative(),
      completionTokens: z.number().int().nonnegative(),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/**
 * An infrastructure fault cut a step of the task off (a sandbox lost with its container, a service
 * killed mid-request, Docker or Postgres errors, a transport time-out, an LLM 5xx or reset): the
 * step is tried again as attempt `attempt + 1`, with request ids and an LLM call key of its own.
 * Not something the agents did: it never reaches their prompts and never becomes an outcome.
 */
export const TaskStepInterrupted = defineEvent({
  type: 'TaskStepInterrupted',
  version: 1,
  schema: z
    .object({
      taskId,
      /** The decider's action kind (sandbox, llm, tool, request-review, review, integrate, end). */
      step: z.string().min(1).max(40),
      /** 1 for the first interruption of this step. */
      attempt: z.number().int().positive(),
      code: z.string().min(1).max(100),
      message: text(4000),
      /** The task's sandbox is gone: the retry runs in a new one (the next generation). */
      sandboxLost: z.boolean(),
      /** How long the runner waits before the next attempt. */
      backoffMs: z.number().int().nonnegative(),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/**
 * A step kept failing for infrastructure reasons past the bound, or the simulation was suspended
 * while the task ran: the task stops with no outcome and its sandbox released. It goes on where it
 * stopped when the simulation is resumed.
 */
export const AgentTaskSuspended = defineEvent({
  type: 'AgentTaskSuspended',
  version: 1,
  schema: z
    .object({
      taskId,
      simulationId: z.string().uuid(),
      step: z.string().min(1).max(40),
      code: z.string().min(1).max(100),
      reason: text(4000),
      /** The simulation's resumptions so far: the task goes on after the next one. */
      resumptions: z.number().int().nonnegative().optional(),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/** The task goes on after its simulation's `resumption`-th resume (SimulationResumed). */
export const AgentTaskResumed = defineEvent({
  type: 'AgentTaskResumed',
  version: 1,
  schema: z.object({ taskId, resumption: z.number().int().positive() }).strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/**
 * An agent program ran once in the task's sandbox, in the feature's worktree: its exit, its output
 * and the LLM calls it made through the endpoint (`llm-<simulationId>-<agentId>`, seq 0…calls-1),
 * which count as the task's turns and tokens. Exit 0: review and integration follow.
 */
export const AgentProgramRan = defineEvent({
  type: 'AgentProgramRan',
  version: 1,
  schema: z
    .object({
      taskId,
      /** 1 for the task's first run (another follows a review asking for changes or a failed integration). */
      run: z.number().int().positive(),
      personaId: slugIdSchema,
      /** The calls' agent id in the LLM recording. */
      agentId: z.string().min(1).max(200),
      /** null when it could not be known. */
      exitCode: z.number().int().nullable(),
      /** Killed at its time limit. */
      timedOut: z.boolean(),
      calls: z.number().int().nonnegative(),
      usage: z.object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative() }).strict(),
      /** stdout and stderr, cut in the middle when long. */
      output: text(20_000),
      durationMs: z.number().int().nonnegative(),
    })
    .strict(),
  streamOf: (d) => taskStream(d.taskId),
});

/** agent-execution asks itself to run a task (concurrently with every other task). */
export const AgentTaskRunRequested = defineEvent({
  type: 'AgentTaskRunRequested',
  version: 1,
  schema: z.object({ taskId }).strict(),
});

export const AGENT_EVENTS = [
  AgentTaskStarted,
  TaskSandboxReady,
  AgentTurnTaken,
  ToolCallCompleted,
  PairRolesSwapped,
  ReviewRequested,
  ReviewCommented,
  ReviewApproved,
  MergeConflicted,
  AcceptanceTestsRun,
  BranchMerged,
  AgentTaskEnded,
  TaskStepInterrupted,
  AgentTaskSuspended,
  AgentTaskResumed,
  AgentTaskRunRequested,
  AgentProgramRan,
];
