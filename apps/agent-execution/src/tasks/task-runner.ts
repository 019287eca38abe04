import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AgentProgramRan,
  AgentTaskEnded,
  AgentTaskResumed,
  AgentTaskSuspended,
  EventData,
  FeatureAbandoned,
  FeatureDone,
  Persona,
  featureStream,
  taskIdOf,
  TaskStepInterrupted,
  taskStream,
} from '@swe-sim/contracts';
import { ConcurrencyError, DuplicateEventError, EventStore, NewEvent, StoredEvent, derivedId, isConnectionError } from '@swe-sim/event-store';
import { LlmGateway } from '@swe-sim/llm-gateway';
import { LOGGER, JsonLogger } from '@swe-sim/service-runtime';
import { EventStoreClient } from '@swe-sim/transport';
import { llmSettingsFor } from '../context/persona-llm';
import { SimulationContext, SimulationContextRepository } from '../context/simulation-context.repository';
import { REPO_TEAM, candidateScript, commitScript, diffScript, ensureRepository, ensureWorktree, mergeScript, mergedFeaturesScript } from './repository';
import { SimulationOrigin, originChain } from '../replay/simulation-origin';
import { ProgramRunner } from '../programs/program-runner';
import { RequestKeys } from './request-keys';
import { SandboxPort, describeCommand } from './sandbox.port';
import { LlmInfrastructureError, RetryPolicy, asInfrastructureFault, backoffMs, codeOf, isInfrastructureCode } from './infrastructure-fault';
import { RepositoryLocks } from './repository-locks';
import { TaskAction, nextAction } from './task.decider';
import { DRIVER_TOOLS, NAVIGATOR_TOOLS, PromptContext, REVIEW_JSON_SCHEMA, reviewMessages, turnMessages } from './task.prompts';
import { TaskEvent, TaskState, evolveTask, initialTaskState, retryOrdinal } from './task.state';
import { executeTool } from './tool-executor';

export const SANDBOX_CLIENT = Symbol('SANDBOX_CLIENT');
export const TASK_RETRY_POLICY = Symbol('TASK_RETRY_POLICY');
export const REPOSITORY_LOCKS = Symbol('REPOSITORY_LOCKS');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Our own reads and writes failing in a row (Postgres restarting) before the run gives up and is re-run by the transport. */
const MAX_OUTAGE_RETRIES = 40;
const RUN_STATE_TTL_MS = 1000;

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

interface TaskEnv {
  sim: SimulationContext;
  port: SandboxPort;
  /** The task's sandbox request keys (in a replay or a fork, also the original task's). */
  keys: RequestKeys;
  /** The keys of setting up the simulation's repository (once per simulation). */
  repositoryKeys: RequestKeys;
  prompt: PromptContext;
  personas: Record<string, Persona>;
  /** What the simulation re-executes, nearest first (empty: a simulation of its own). */
  origins: SimulationOrigin[];
}

/**
 * Runs one agent task to its end: fold the stream, ask the decider what to do, do it (an LLM
 * call, a sandbox request), record the result with the version read, repeat. Killed at any line,
 * it resumes from the stream: the LLM call is recorded under a key derived from the turn, and each
 * sandbox request has an id derived from its cause, so nothing is done twice that was recorded.
 */
@Injectable()
export class TaskRunner {
  private readonly runStates = new Map<string, { at: number; value: ReturnType<SimulationContextRepository['runState']> }>();

  constructor(
    private readonly store: EventStore,
    private readonly context: SimulationContextRepository,
    @Inject(LlmGateway) private readonly llm: LlmGateway,
    @Inject(SANDBOX_CLIENT) private readonly client: EventStoreClient,
    @Inject(REPOSITORY_LOCKS) private readonly locks: RepositoryLocks,
    @Inject(TASK_RETRY_POLICY) private readonly policy: RetryPolicy,
    @Inject(LOGGER) private readonly log: JsonLogger,
    private readonly programs: ProgramRunner,
  ) {}

  async run(taskId: string): Promise<EventData<typeof AgentTaskEnded> | null> {
    // What the task works in (its simulation, origins, personas) is fixed once it started: read once per run.
    let env: Promise<TaskEnv> | undefined;
    const envOf = () =>
      (env ??= this.envFor(state).catch((err) => {
        env = undefined;
        throw err;
      }));
    // The stream only grows: each step folds what was appended since — what this run appended itself
    // (its append succeeded at the version it expected, so nothing else came between), else read.
    let state = initialTaskState;
    let version = 0;
    let outage = 0;
    let own: StoredEvent[] | null = null;
    for (let step = 0; step < 100_000; step++) {
      try {
        const appended = (own ?? (await this.store.readStream(taskStream(taskId), { fromVersion: version + 1 }))) as unknown as TaskEvent[];
        own = null;
        state = appended.reduce(evolveTask, state);
        version += appended.length;
        const recorded = await this.next(taskId, state, version, envOf);
        outage = 0;
        if (recorded === 'stop') return state.ended;
        if (recorded !== 'read') own = recorded;
      } catch (err) {
        // Nothing of this step was recorded (Postgres restarting, a connection lost): read again after a
        // pause. Anything else failing here is a bug, not an outage: give up soon (the request says why).
        if (++outage > (isConnectionError(err) ? MAX_OUTAGE_RETRIES : 3)) throw err;
        this.log.warn('task step could not be read or recorded; retrying', { taskId, attempt: outage, error: (err as Error).message });
        await sleep(Math.min(15_000, 250 * 2 ** Math.min(outage, 6)));
      }
    }
    throw new Error(`task ${taskId} did not end`);
  }

  /**
   * One step: decide, perform (or record the fault that cut it off), record. 'stop' when nothing is
   * left to do now; the events it appended; 'read' when the stream must be read again.
   */
  private async next(taskId: string, state: TaskState, version: number, envOf: () => Promise<TaskEnv>): Promise<'stop' | 'read' | StoredEvent[]> {
    const simulationId = state.task?.simulationId;
    if (state.suspended) {
      const run = await this.runStateOf(simulationId!, { fresh: true });
      if (run.ended || run.suspended || run.resumptions <= (state.suspended.resumptions ?? 0)) return 'stop';
      return this.record(taskId, version, [{ type: AgentTaskResumed.type, data: { taskId, resumption: run.resumptions } }], state, null);
    }
    let action = nextAction(state);
    if (action.kind === 'none') return 'stop';
    let run = action.kind === 'end' ? null : await this.runStateOf(simulationId!);
    // Suspending is rare and must not act on a state a resume has already replaced: read it fresh.
    if (run?.suspended) run = await this.runStateOf(simulationId!, { fresh: true });
    // A simulation that ended (cancelled, out of budget) stops its tasks at the next step.
    if (run?.ended) action = { kind: 'end', outcome: 'abandoned', code: 'CANCELLED', reason: `the simulation ended: ${run.ended}` };
    const env = await envOf();
    if (run?.suspended) {
      // Stopped by infrastructure elsewhere: no outcome, go on when resumed.
      const suspension = await this.suspension(taskId, state, env, action.kind, 'SIMULATION_SUSPENDED', `the simulation is suspended: ${run.suspended}`, run.resumptions);
      return this.record(taskId, version, suspension, state, env);
    }
    const events = await this.attempt(action, state, env, taskId);
    let stored: StoredEvent[];
    try {
      stored = await this.record(taskId, version, events, state, env);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err; // someone else moved the task on: read again
      return 'read';
    }
    const interrupted = events.find((e) => e.type === TaskStepInterrupted.type)?.data as EventData<typeof TaskStepInterrupted> | undefined;
    if (interrupted) await sleep(interrupted.backoffMs);
    return stored;
  }

  /**
   * The simulation's run state, read at most once a second per simulation: every step asks (has it
   * been cancelled, suspended?), and a second's delay in noticing is nothing to a task.
   */
  private runStateOf(simulationId: string, options: { fresh?: boolean } = {}): ReturnType<SimulationContextRepository['runState']> {
    const now = Date.now();
    const cached = this.runStates.get(simulationId);
    if (cached && !options.fresh && now - cached.at < RUN_STATE_TTL_MS) return cached.value;
    if (this.runStates.size > 10_000) this.runStates.clear();
    const value = this.context.runState(simulationId);
    this.runStates.set(simulationId, { at: now, value });
    value.catch(() => this.runStates.delete(simulationId));
    return value;
  }

  /**
   * The step's events, or — when an infrastructure fault cut it off — TaskStepInterrupted for a new
   * attempt (new request ids, a new LLM call key), or past the bound the task's suspension.
   */
  private async attempt(action: TaskAction, state: TaskState, env: TaskEnv, taskId: string): Promise<NewEvent[]> {
    try {
      return await this.perform(action, state, attemptEnv(env, retryOrdinal(state)), taskId);
    } catch (err) {
      const fault = asInfrastructureFault(err);
      if (!fault) {
        // A re-execution asked for what its original never did: the verdict, recorded as the task's end.
        const reason = `${codeOf(err)} at ${action.kind}: ${(err as Error).message}`.slice(0, 3000);
        const code = action.kind === 'llm' || action.kind === 'review' || action.kind === 'program' ? 'AGENT_FAILED' : 'SANDBOX_FAILED';
        return this.perform({ kind: 'end', outcome: 'abandoned', code, reason }, state, env, taskId);
      }
      const attempt = state.stepAttempts + 1;
      this.log.warn('task step interrupted by an infrastructure fault', { taskId, step: action.kind, attempt, code: fault.code, error: fault.message });
      if (fault.sandboxLost && state.sandbox && !state.sandbox.lost) await env.port.release(env.keys.ids('release', state.sandbox.generation), state.sandbox.sandboxId);
      if (attempt >= this.policy.maxAttempts || state.faults + 1 >= this.policy.maxFaultsPerTask) {
        const reason = `${action.kind} failed ${attempt} times (${state.faults + 1} faults in this task); last: ${fault.code}: ${fault.message}`;
        const run = await this.runStateOf(state.task!.simulationId, { fresh: true });
        return this.suspension(taskId, state, env, action.kind, fault.code, reason, run.resumptions);
      }
      const interrupted: EventData<typeof TaskStepInterrupted> = {
        taskId,
        step: action.kind,
        attempt,
        code: fault.code.slice(0, 100),
        message: fault.message,
        sandboxLost: fault.sandboxLost && state.sandbox !== null,
        backoffMs: backoffMs(this.policy, attempt),
      };
      return [{ type: TaskStepInterrupted.type, data: interrupted }];
    }
  }

  /** The task stops with no outcome, its sandbox released (best effort: the reaper removes it otherwise). */
  private async suspension(taskId: string, state: TaskState, env: TaskEnv, step: string, code: string, reason: string, resumptions: number): Promise<NewEvent[]> {
    if (state.sandbox && !state.sandbox.lost) await env.port.release(env.keys.ids('release', state.sandbox.generation), state.sandbox.sandboxId);
    const data: EventData<typeof AgentTaskSuspended> = { taskId, simulationId: state.task!.simulationId, step, code: code.slice(0, 100), reason: reason.slice(0, 4000), resumptions };
    return [{ type: AgentTaskSuspended.type, data }];
  }

  private async envFor(state: TaskState): Promise<TaskEnv> {
    const task = state.task!;
    const sim = await this.context.simulation(task.simulationId);
    if (!sim) throw new Error(`simulation ${task.simulationId} is not known`);
    const feature = sim.project.backlog.find((b) => b.featureId === task.featureId)!;
    const personas = Object.fromEntries(sim.config.roster.map((p) => [p.personaId, p]));
    const files = [...sim.project.scaffold, ...sim.project.acceptance.files].map((f) => f.path).sort();
    // A replay or a fork: the simulations it re-executes, whose tasks made the same steps.
    const chain = await originChain(sim, (id) => this.context.simulation(id));
    const originals = chain.map((o) => o.simulationId);
    return {
      sim,
      port: new SandboxPort(this.client, task.simulationId, chain.length ? { store: this.store, chain } : null),
      keys: new RequestKeys([task.taskId, ...originals.map((s) => taskIdOf(s, task.featureId, task.sprint))]),
      repositoryKeys: new RequestKeys([task.simulationId, ...originals].map((s) => `${s}:repo-init`)),
      personas,
      origins: chain,
      prompt: { project: { name: sim.project.name, stack: sim.project.stack, files }, feature, personas },
    };
  }

  /** Appends the step's events at the version read (with what an end or a suspension entails, in the same transaction). */
  private async record(taskId: string, version: number, events: NewEvent[], state: TaskState, env: TaskEnv | null): Promise<StoredEvent[]> {
    const task = state.task!;
    const metadata = { simulationId: task.simulationId, correlationId: taskId, actor: 'agent-execution' };
    const suspended = events.some((e) => e.type === AgentTaskSuspended.type);
    const ended = events.find((e) => e.type === AgentTaskEnded.type)?.data as EventData<typeof AgentTaskEnded> | undefined;
    // Most steps append to the task stream alone: one statement, no transaction around it.
    if (!suspended && !ended) return (await this.store.append(taskStream(taskId), events, { expectedVersion: version, metadata })).events;
    return this.store.transaction(async (tx) => {
      const { events: stored } = await this.store.append(taskStream(taskId), events, { expectedVersion: version, metadata }, tx);
      // Listed with the suspension itself, so a resume finds every suspended task.
      if (suspended) await this.context.taskSuspended(tx, task.simulationId, taskId);
      if (!ended) return stored;
      const effort = { turns: ended.turns, promptTokens: ended.promptTokens, completionTokens: ended.completionTokens };
      const common = { simulationId: task.simulationId, sprint: task.sprint, teamId: task.teamId, featureId: task.featureId, taskId, effort };
      const outcome =
        ended.outcome === 'done'
          ? { type: FeatureDone.type, data: { ...common, acceptanceTestsPassed: env!.prompt.feature.tests.length } }
          : { type: FeatureAbandoned.type, data: { ...common, code: ended.code as never, reason: ended.reason } };
      await this.store
        .append(featureStream(task.simulationId, task.featureId), [{ ...outcome, id: derivedId('feature-outcome', taskId) }], { metadata }, tx)
        .catch((err) => {
          if (!(err instanceof DuplicateEventError)) throw err;
        });
      return stored;
    });
  }

  private async perform(action: TaskAction, s: TaskState, env: TaskEnv, taskId: string): Promise<NewEvent[]> {
    const task = s.task!;
    switch (action.kind) {
      case 'none':
        return [];
      case 'sandbox':
        return [await this.newSandbox(taskId, s, env, action.generation)];
      case 'llm': {
        const persona = env.personas[action.speaker];
        const { model, sampling } = llmSettingsFor(env.sim, persona);
        const turn = s.turns + 1;
        const agentId = `${action.speaker}/${task.featureId}.s${task.sprint}`;
        const result = await this.llm.tryComplete(
          { model, sampling, messages: turnMessages(s, action.speaker, action.role, env.prompt), tools: action.role === 'driver' ? DRIVER_TOOLS : NAVIGATOR_TOOLS, toolChoice: 'auto' },
          { simulationId: task.simulationId, agentId, seq: s.turns, attempt: retryOrdinal(s), role: action.role },
        );
        const base = { taskId, turn, speaker: action.speaker, role: action.role, llm: { agentId, seq: s.turns } };
        if (!result.ok && isInfrastructureCode(result.error.code)) throw new LlmInfrastructureError(result.error.code, result.error.message);
        if (!result.ok) {
          return [{ type: 'AgentTurnTaken', data: { ...base, content: null, toolCalls: [], usage: { promptTokens: 0, completionTokens: 0 }, failure: { code: result.error.code, message: result.error.message.slice(0, 4000) } } }];
        }
        const r = result.response;
        // Our own call ids: unique in the task, so tool results always find their call.
        const toolCalls = (r.message.tool_calls ?? []).map((c, i) => ({ id: `call_${turn}_${i}`, name: c.name.slice(0, 200), arguments: c.arguments }));
        return [{ type: 'AgentTurnTaken', data: { ...base, content: r.message.content, toolCalls, usage: r.usage, failure: null } }];
      }
      case 'tool': {
        const started = Date.now();
        const turn = s.lastTurn!.turn;
        const allowed = (s.lastTurn!.role === 'driver' ? DRIVER_TOOLS : NAVIGATOR_TOOLS).map((t) => t.name);
        const settings = { workdir: task.workdir, testCommand: env.sim.project.acceptance.command, tests: env.prompt.feature.tests, allowed };
        // A lost sandbox or a broken service is thrown: the runner retries the call in a new sandbox, unseen by the agents.
        const result = await executeTool(env.port, s.sandbox!.sandboxId, action.call, settings, env.keys.sub('tool', turn, action.call.id, s.sandbox!.generation));
        return [{ type: 'ToolCallCompleted', data: { taskId, turn, ...result, durationMs: Date.now() - started } }];
      }
      case 'swap':
        return [{ type: 'PairRolesSwapped', data: { taskId, turn: Math.max(1, s.turns), driver: s.navigator!, navigator: s.driver } }];
      case 'request-review': {
        const round = s.reviewRound + 1;
        const r = await env.port.run(env.keys.ids('diff', round), s.sandbox!.sandboxId, diffScript(task.workdir), 60_000, 256 * 1024);
        const diff = r.exitCode === 0 ? r.stdout : describeCommand(r);
        return [{ type: 'ReviewRequested', data: { taskId, round, reviewer: task.reviewer!, diff: diff.slice(0, 60_000), diffTruncated: diff.length > 60_000 || r.truncated } }];
      }
      case 'review':
        return [await this.review(taskId, s, env)];
      case 'integrate':
        return this.locks.run(`merge:${task.simulationId}`, () => this.integrate(taskId, s, env));
      case 'program':
        return [{ type: AgentProgramRan.type, data: await this.programs.run(taskId, s, env, action.run) }];
      case 'end': {
        if (s.sandbox && !s.sandbox.lost) await env.port.release(env.keys.ids('release', s.sandbox.generation), s.sandbox.sandboxId);
        return [
          {
            type: 'AgentTaskEnded',
            data: { taskId, outcome: action.outcome, code: action.code, reason: action.reason, turns: s.turns, promptTokens: s.promptTokens, completionTokens: s.completionTokens },
          },
        ];
      }
      default: {
        const unhandled: never = action;
        throw new Error(`unhandled action ${(unhandled as { kind: string }).kind}`);
      }
    }
  }

  /** A sandbox on the simulation's repository, with main made and the feature's tree ready. */
  private async newSandbox(taskId: string, s: TaskState, env: TaskEnv, generation: number): Promise<NewEvent> {
    const task = s.task!;
    // A retry's sandbox has a name of its own: the first attempt's may exist, half made.
    const sandboxId = `t${short(taskId)}g${generation}${s.stepAttempts ? `r${retryOrdinal(s)}` : ''}`;
    // An agent program's sandbox also gets its endpoint folder (no other sandbox does).
    await env.port.create(env.keys.ids('sandbox', generation), sandboxId, REPO_TEAM, env.sim.project.stack, taskId, { llmEndpoint: task.program === true });
    // Setting up (main once, then a worktree) is serialised on its own lock, not behind integrations.
    await this.locks.run(`setup:${task.simulationId}`, async () => {
      await ensureRepository(env.port, sandboxId, env.sim.project, env.repositoryKeys);
      await ensureWorktree(env.port, sandboxId, task.featureId, env.keys.sub('setup', generation), generation > 0 || s.stepAttempts > 0);
    });
    return { type: 'TaskSandboxReady', data: { taskId, sandboxId, generation } };
  }

  private async review(taskId: string, s: TaskState, env: TaskEnv): Promise<NewEvent> {
    const task = s.task!;
    const reviewer = task.reviewer!;
    const persona = env.personas[reviewer];
    const diff = s.reviewDiff ?? '';
    const { model, sampling } = llmSettingsFor(env.sim, persona);
    const agentId = `${reviewer}/${task.featureId}.s${task.sprint}.review`;
    const seq = s.reviewRound - 1;
    const result = await this.llm.tryComplete(
      { model, sampling, messages: reviewMessages(persona, reviewer, diff, env.prompt, s.reviewRound), structured: { name: 'review', jsonSchema: REVIEW_JSON_SCHEMA } },
      { simulationId: task.simulationId, agentId, seq, attempt: retryOrdinal(s), role: 'reviewer' },
    );
    const verdict = result.ok ? (result.response.parsed as { verdict: string; comments: string }) : null;
    const base = { taskId, round: s.reviewRound, reviewer, llm: { agentId, seq } };
    if (!result.ok && isInfrastructureCode(result.error.code)) throw new LlmInfrastructureError(result.error.code, result.error.message);
    if (!verdict) {
      return { type: 'ReviewApproved', data: { ...base, comments: `no usable review (${!result.ok ? result.error.code : 'EMPTY'}): approved by default`, fallback: true } };
    }
    return { type: verdict.verdict === 'approve' ? 'ReviewApproved' : 'ReviewCommented', data: { ...base, comments: String(verdict.comments ?? '').slice(0, 8000), fallback: false } };
  }

  /** Commit the branch, test main merged with it in a fresh sandbox, and merge only if that passes. */
  private async integrate(taskId: string, s: TaskState, env: TaskEnv): Promise<NewEvent[]> {
    const task = s.task!;
    const attempt = s.integrationFailures;
    const key = (part: string) => env.keys.ids('integrate', attempt, part);
    const driver = env.personas[task.driver];
    const author = { name: driver?.name ?? task.driver, email: `${task.driver}@agents.swe-sim.local` };
    const commit = await env.port.run(key('commit'), s.sandbox!.sandboxId, commitScript(task.workdir, author, `${task.featureId}: ${env.prompt.feature.title}`), 60_000);
    if (commit.exitCode !== 0) throw new Error(`commit failed: ${describeCommand(commit)}`);

    // What main holds is what git says (not what the log has caught up with): those features' tests run too.
    const merged = await env.port.run(key('merged'), s.sandbox!.sandboxId, mergedFeaturesScript(), 30_000);
    const done = merged.stdout.split('\n').map((l) => l.trim().replace(/^feature\//, '')).filter((f) => f && f !== task.featureId);
    const tests = [...new Set([...env.prompt.feature.tests, ...env.sim.project.backlog.filter((b) => done.includes(b.featureId)).flatMap((b) => b.tests)])];
    const acceptance = await Promise.all(
      env.sim.project.acceptance.files.map(async (f) => ({ path: f.path, base64: ((await this.store.getBlob(f.hash)) ?? Buffer.alloc(0)).toString('base64') })),
    );
    const sandboxId = `a${short(taskId)}i${attempt}${s.stepAttempts ? `r${retryOrdinal(s)}` : ''}`;
    await env.port.create(key('sandbox'), sandboxId, REPO_TEAM, env.sim.project.stack, taskId);
    let run: Awaited<ReturnType<SandboxPort['run']>>;
    try {
      run = await env.port.run(key('candidate'), sandboxId, candidateScript(task.branch, acceptance, env.sim.project.acceptance.command, tests), 300_000);
    } finally {
      // Also when the run is cut off: a retry makes a candidate of its own, this one is done with.
      await env.port.release(key('release'), sandboxId);
    }

    if (run.exitCode === 3 && run.stdout.startsWith('MERGE_CONFLICT')) {
      const files = run.stdout.split('\n').slice(1).filter((l) => l && !l.includes(' ')).slice(0, 100);
      return [{ type: 'MergeConflicted', data: { taskId, files, output: describeCommand(run, 8000) } }];
    }
    const tested = { taskId, sandboxId, tests, exitCode: run.exitCode, output: describeCommand(run, 20_000) };
    if (run.exitCode !== 0) return [{ type: 'AcceptanceTestsRun', data: { ...tested, passed: false } }];
    const merge = await env.port.run(key('merge'), s.sandbox!.sandboxId, mergeScript(task.branch, `Merge ${task.branch}: ${env.prompt.feature.title}`, s.stepAttempts > 0), 60_000);
    const sha = merge.stdout.trim().split('\n').pop() ?? '';
    if (merge.exitCode !== 0 || !/^[0-9a-f]{7,64}$/.test(sha)) {
      return [{ type: 'MergeConflicted', data: { taskId, files: [], output: describeCommand(merge, 8000) } }];
    }
    return [
      { type: 'AcceptanceTestsRun', data: { ...tested, passed: true } },
      { type: 'BranchMerged', data: { taskId, branch: task.branch, commit: sha } },
    ];
  }
}

/** The keys of a step's retry: new request ids (a failed request's reply stays its answer), the same ones the first time. */
function attemptEnv(env: TaskEnv, attempt: number): TaskEnv {
  if (!attempt) return env;
  return { ...env, keys: env.keys.sub('retry', attempt), repositoryKeys: env.repositoryKeys.sub('retry', attempt) };
}
