import { lastValueFrom } from 'rxjs';
import { CommandReply, FileReadReply, SandboxImageKind } from '@swe-sim/contracts';
import { SweSimError } from '@swe-sim/contracts';
import { EventStore, StoredEvent, derivedId } from '@swe-sim/event-store';
import { EventRecord, EventStoreClient, RpcRemoteError } from '@swe-sim/transport';
import { RecordedReply, recordedSandboxReply } from '../replay/recorded-sandbox-replies';
import { SimulationOrigin, sharedByOrigin } from '../replay/simulation-origin';
import { RequestIds } from './request-keys';
import { codeOf, isInfrastructureCode } from './infrastructure-fault';

/** How long a release waits for sandbox-control's answer before the task goes on without it. */
const RELEASE_WAIT_MS = 10_000;

/** A replay's step asked the sandbox something the original did not (not a SANDBOX_ code: the runner, not the agent, handles it). */
export class SandboxReplayDivergenceError extends SweSimError {
  constructor(message: string) {
    super('REPLAY_DIVERGENCE', message);
  }
}

/**
 * agent-execution's side of sandbox-control's requests. Every request carries an id derived from
 * what caused it, so a re-run after a crash joins the request already sent instead of repeating it.
 *
 * In a replay nothing is sent: each answer is the reply the original acted on for the same step,
 * and a step the original did not take is a SandboxReplayDivergenceError. In a fork every step is
 * run (its effect on the fork's own workspace is needed once the fork goes live), but while the
 * original had answered the same request within the shared history, that answer is the one given —
 * so the agents see what they saw in the original, up to the fork point. Such a step runs under an
 * id of its own (`effect`), never taken for an answer: the fork's recorded replies are exactly its
 * live steps, and a replay of the fork finds the rest in the fork's own origin.
 */
export class SandboxPort {
  constructor(
    private readonly client: EventStoreClient,
    private readonly simulationId: string,
    /** The store and the simulation's origins, nearest first (none: everything is live). */
    private readonly recordings: { store: EventStore; chain: readonly SimulationOrigin[] } | null = null,
  ) {}

  private async send<T>(type: string, data: Record<string, unknown>, ids: RequestIds): Promise<T> {
    const origin = this.recordings?.chain[0];
    if (!origin || ids.length < 2) return this.sendLive<T>(type, data, ids[0]);
    const recorded = await this.actedOn(1, type, data, ids);
    if (origin.mode === 'replay') {
      if ('divergence' in recorded) throw new SandboxReplayDivergenceError(recorded.divergence);
      return answerOf<T>(type, recorded.reply);
    }
    if ('divergence' in recorded || !sharedByOrigin(origin, recorded.reply.globalPosition)) return this.sendLive<T>(type, data, ids[0]);
    await this.sendLive(type, data, derivedId(ids[0], 'effect')).catch((err) => {
      if (isInfrastructureCode(codeOf(err))) throw err; // a lost sandbox still counts: the fork's step is retried
    });
    return answerOf<T>(type, recorded.reply);
  }

  /**
   * The reply the simulation `level` steps up the chain acted on: its own recorded reply (a step it
   * ran live), else — it being a replay or a fork — the one its own origin acted on, if shared.
   */
  private async actedOn(level: number, type: string, data: Record<string, unknown>, ids: RequestIds): Promise<RecordedReply> {
    const { store, chain } = this.recordings!;
    const own = await recordedSandboxReply(store, ids[level], type, data);
    const link = chain[level];
    if ('reply' in own || !own.missing || !link || level + 1 >= ids.length) return own;
    const deeper = await this.actedOn(level + 1, type, data, ids);
    return 'reply' in deeper && !sharedByOrigin(link, deeper.reply.globalPosition) ? own : deeper;
  }

  private sendLive<T>(type: string, data: unknown, requestId: string): Promise<T> {
    return lastValueFrom(this.client.send(type, new EventRecord(data, { eventId: requestId, metadata: { simulationId: this.simulationId } })));
  }

  /** `ownerTaskId`: the reaper removes the sandbox once that task has ended or been suspended, released or not. */
  create(ids: RequestIds, sandboxId: string, teamId: string, image: SandboxImageKind, ownerTaskId?: string, options: { llmEndpoint?: boolean } = {}): Promise<unknown> {
    const extra = { ...(ownerTaskId ? { ownerTaskId } : {}), ...(options.llmEndpoint ? { llmEndpoint: true } : {}) };
    return this.send('SandboxRequested', { sandboxId, teamId, image, ttlMs: 6 * 3_600_000, ...extra }, ids);
  }

  run(ids: RequestIds, sandboxId: string, cmd: string, timeoutMs: number, maxOutputBytes = 64 * 1024): Promise<CommandReply> {
    return this.send('CommandRequested', { sandboxId, cmd, timeoutMs, maxOutputBytes }, ids);
  }

  write(ids: RequestIds, sandboxId: string, path: string, file: { content: string } | { hash: string }): Promise<{ path: string; size: number }> {
    return this.send('FileWriteRequested', { sandboxId, path, ...file }, ids);
  }

  read(ids: RequestIds, sandboxId: string, path: string): Promise<FileReadReply> {
    return this.send('FileReadRequested', { sandboxId, path }, ids);
  }

  /**
   * Asks for the release and waits for sandbox-control's answer a few seconds at most: normally it
   * comes in milliseconds (so a task that ends has its sandboxes gone), but a task must not wait on a
   * service that is down to stop using a sandbox. The request is durable once stored, and if even it
   * is lost, the reaper removes the sandbox when its owner task ends.
   */
  async release(ids: RequestIds, sandboxId: string): Promise<void> {
    const answered = this.send('SandboxReleased', { sandboxId, reason: 'task ended' }, ids).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([answered, new Promise((r) => (timer = setTimeout(r, RELEASE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}

/** A recorded RpcReplied as the caller would have received it. */
function answerOf<T>(pattern: string, reply: StoredEvent): T {
  const r = reply.data as { ok: boolean; response?: unknown; error?: { code: string; message: string } };
  if (r.ok) return r.response as T;
  throw new RpcRemoteError(r.error!.code, r.error!.message, { pattern });
}

/** One line per stream, the way an agent reads a command's result. */
export function describeCommand(r: CommandReply, max = 8000): string {
  const head = r.timedOut ? 'timed out' : r.oomKilled ? 'killed: out of memory' : `exit code ${r.exitCode}`;
  const out = [r.stdout && `stdout:\n${r.stdout}`, r.stderr && `stderr:\n${r.stderr}`].filter(Boolean).join('\n');
  const text = `${head}${r.truncated ? ' (output truncated)' : ''}\n${out}`;
  return text.length <= max ? text : `${text.slice(0, max / 2)}\n… (${text.length - max} characters cut) …\n${text.slice(-max / 2)}`;
}

/** Quotes a string for /bin/sh. */
export const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
