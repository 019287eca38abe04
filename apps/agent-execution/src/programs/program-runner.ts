import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AgentProgramRan, CommandReply, EventData, Persona, agentEndpointFolder, llmStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { LlmGateway } from '@swe-sim/llm-gateway';
import { CONFIG } from '@swe-sim/service-runtime';
import { llmSettingsFor } from '../context/persona-llm';
import { SimulationContext } from '../context/simulation-context.repository';
import { SimulationOrigin } from '../replay/simulation-origin';
import { RequestKeys } from '../tasks/request-keys';
import { SandboxPort, describeCommand } from '../tasks/sandbox.port';
import { PromptContext } from '../tasks/task.prompts';
import { TaskState, retryOrdinal } from '../tasks/task.state';
import { FORWARD_JS, FORWARD_PY } from './forwarders';
import { ProgramEndpoint } from './program-endpoint';
import { PROGRAM_FILES, SANDBOX_GRACE_MS, notesFile, notesOf, programCommand, taskFile } from './program-run';

export interface ProgramRunEnv {
  sim: SimulationContext;
  port: SandboxPort;
  keys: RequestKeys;
  prompt: PromptContext;
  personas: Record<string, Persona>;
  /** What the simulation re-executes, nearest first (a replay runs nothing: see run()). */
  origins: readonly SimulationOrigin[];
}

/** Exit codes of a program killed at its limit: `timeout`'s 124, or 137 when it had to KILL. */
const KILLED_AT_LIMIT = new Set([124, 137]);

/**
 * One run of an agent program in the task's sandbox: its folder (/run/swe-sim) filled with the
 * program's files, the task and the partners' notes; its endpoint open on llm.sock for the run;
 * the program run under `timeout` in the feature's worktree; its LLM calls counted from their
 * recording. A replay runs nothing: the command's result is the original's (as for every sandbox
 * request), and the calls are those the original recorded under the same agent id.
 */
@Injectable()
export class ProgramRunner {
  constructor(
    private readonly store: EventStore,
    @Inject(LlmGateway) private readonly llm: LlmGateway,
    @Inject(CONFIG) private readonly config: { AGENT_ENDPOINT_ROOT: string },
  ) {}

  async run(taskId: string, s: TaskState, env: ProgramRunEnv, run: number): Promise<EventData<typeof AgentProgramRan>> {
    const task = s.task!;
    const persona = env.personas[task.driver];
    const program = persona?.program;
    if (!program) throw new Error(`${task.driver} is not an agent program in this simulation's roster`);
    if (program.stack !== env.sim.project.stack) {
      throw new Error(`the program needs a ${program.stack} sandbox, and the project's stack is ${env.sim.project.stack}`);
    }
    // A retry after an infrastructure fault gets calls of its own (as the built-in loop's keys carry
    // the attempt): reusing the failed attempt's would answer or refuse it from that attempt's recording.
    const retry = retryOrdinal(s);
    const agentId = `${task.driver}/${task.featureId}.s${task.sprint}.program${run}${retry ? `.r${retry}` : ''}`;
    const testCommand = env.sim.project.acceptance.command;
    const cmd = programCommand({ workdir: task.workdir, program, featureId: task.featureId, testCommand: `${testCommand} ${env.prompt.feature.tests.join(' ')}`.trim(), run });
    const sandboxId = s.sandbox!.sandboxId;
    const ids = env.keys.ids('program', run, s.sandbox!.generation);
    const started = Date.now();
    let reply: CommandReply;
    const replaying = env.origins[0]?.mode === 'replay';
    if (replaying) {
      reply = await env.port.run(ids, sandboxId, cmd, program.timeLimitMs + SANDBOX_GRACE_MS);
    } else {
      const folder = agentEndpointFolder(this.config.AGENT_ENDPOINT_ROOT, sandboxId);
      await this.fill(folder, s, env, testCommand, run);
      const { model, sampling } = llmSettingsFor(env.sim, persona);
      const endpoint = new ProgramEndpoint({
        socketPath: join(folder, 'llm.sock'),
        settings: { model, sampling },
        budget: { turns: task.budget.maxTurns - s.turns, tokens: task.budget.maxTokens - s.promptTokens - s.completionTokens },
        complete: (request, seq) => this.llm.tryComplete(request, { simulationId: task.simulationId, agentId, seq, role: 'program' }),
        callId: (seq) => `chatcmpl-${task.featureId}-s${task.sprint}-r${run}-${seq}`,
      });
      await endpoint.open();
      try {
        reply = await env.port.run(ids, sandboxId, cmd, program.timeLimitMs + SANDBOX_GRACE_MS);
      } finally {
        await endpoint.close();
      }
    }
    const calls = replaying ? await this.replayCalls(task.simulationId, agentId) : await this.recordedCalls(task.simulationId, agentId);
    return {
      taskId,
      run,
      personaId: task.driver,
      agentId,
      exitCode: reply.exitCode,
      timedOut: reply.timedOut || (reply.exitCode !== null && KILLED_AT_LIMIT.has(reply.exitCode) && !reply.oomKilled),
      calls: calls.count,
      usage: calls.usage,
      output: describeCommand(reply, 20_000),
      durationMs: Date.now() - started,
    };
  }

  /** The program's files (from their blobs), the task, the notes and the forwarders; readable by the sandbox user. */
  private async fill(folder: string, s: TaskState, env: ProgramRunEnv, testCommand: string, run: number): Promise<void> {
    const program = env.personas[s.task!.driver].program!;
    const files: Array<[string, string | Buffer]> = [
      ['forward.py', FORWARD_PY],
      ['forward.js', FORWARD_JS],
      [PROGRAM_FILES.task, `${JSON.stringify(taskFile(s, env.prompt, testCommand, run), null, 2)}\n`],
      [PROGRAM_FILES.notes, notesFile(notesOf(s))],
    ];
    for (const f of program.files) {
      const bytes = await this.store.getBlob(f.hash);
      if (!bytes) throw new Error(`the program's file ${f.path} (blob ${f.hash}) is not in the store`);
      files.push([join(PROGRAM_FILES.program, f.path), bytes]);
    }
    for (const [path, content] of files) {
      const target = join(folder, path);
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      await writeFile(target, content, { mode: 0o644 });
    }
  }

  /** The calls the run made, as recorded under its agent id (also when a re-run after a crash joined a run already made). */
  private async recordedCalls(simulationId: string, agentId: string): Promise<CallCount> {
    const outcomes = (await this.store.readStream(llmStream(simulationId, agentId))).filter((e) => e.type === 'LlmCallCompleted' || e.type === 'LlmCallFailed');
    return outcomes.reduce((n, e) => counted(n, (e.data as { usage?: Usage }).usage), NO_CALLS);
  }

  /**
   * A replay does not run the program: it asks the original's calls again in their order, answered
   * from the recording and recorded as replayed (so the replay's history holds every answer, and
   * what the simulation reports of them — tokens by role — is the same).
   */
  private async replayCalls(simulationId: string, agentId: string): Promise<CallCount> {
    let n = NO_CALLS;
    for (let seq = 0; ; seq++) {
      const r = await this.llm.replayRecorded({ simulationId, agentId, seq });
      if (!r) return n;
      n = counted(n, r.ok ? r.response.usage : undefined);
    }
  }
}

type Usage = { promptTokens: number; completionTokens: number };
type CallCount = { count: number; usage: Usage };
const NO_CALLS: CallCount = { count: 0, usage: { promptTokens: 0, completionTokens: 0 } };
const counted = (n: CallCount, u: Usage | undefined): CallCount => ({
  count: n.count + 1,
  usage: { promptTokens: n.usage.promptTokens + (u?.promptTokens ?? 0), completionTokens: n.usage.completionTokens + (u?.completionTokens ?? 0) },
});
