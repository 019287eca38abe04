import { lastValueFrom } from 'rxjs';
import { CommandReply, FileReadReply, SandboxImageKind } from '@swe-sim/contracts';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';

/** Error codes after which the sandbox is gone and a new one must be asked for. */
export const SANDBOX_GONE = new Set(['SANDBOX_NOT_FOUND', 'SANDBOX_DESTROYED', 'RPC_INTERRUPTED']);

/**
 * agent-execution's side of sandbox-control's requests. Every request carries an id derived from
 * what caused it, so a re-run after a crash joins the request already sent instead of repeating it.
 */
export class SandboxPort {
  constructor(
    private readonly client: EventStoreClient,
    private readonly simulationId: string,
  ) {}

  private send<T>(type: string, data: unknown, requestId: string): Promise<T> {
    return lastValueFrom(this.client.send(type, new EventRecord(data, { eventId: requestId, metadata: { simulationId: this.simulationId } })));
  }

  create(requestId: string, sandboxId: string, teamId: string, image: SandboxImageKind): Promise<unknown> {
    return this.send('SandboxRequested', { sandboxId, teamId, image, ttlMs: 6 * 3_600_000 }, requestId);
  }

  run(requestId: string, sandboxId: string, cmd: string, timeoutMs: number, maxOutputBytes = 64 * 1024): Promise<CommandReply> {
    return this.send('CommandRequested', { sandboxId, cmd, timeoutMs, maxOutputBytes }, requestId);
  }

  write(requestId: string, sandboxId: string, path: string, file: { content: string } | { hash: string }): Promise<{ path: string; size: number }> {
    return this.send('FileWriteRequested', { sandboxId, path, ...file }, requestId);
  }

  read(requestId: string, sandboxId: string, path: string): Promise<FileReadReply> {
    return this.send('FileReadRequested', { sandboxId, path }, requestId);
  }

  async release(requestId: string, sandboxId: string): Promise<void> {
    await this.send('SandboxReleased', { sandboxId, reason: 'task ended' }, requestId).catch(() => undefined);
  }
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
