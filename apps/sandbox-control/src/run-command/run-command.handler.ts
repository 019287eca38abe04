import { Injectable } from '@nestjs/common';
import { CommandReply, CommandRequested, EventData } from '@swe-sim/contracts';
import { StoredEvent } from '@swe-sim/event-store';
import { ExecResult, SandboxError, SandboxGoneError } from '../docker';
import { ReaperService } from '../reaper/reaper.service';
import { SandboxRuntime } from '../sandbox/sandbox-runtime';
import { assertLive } from '../sandbox/sandbox.decider';
import { SandboxRequestError } from '../sandbox/sandbox.errors';
import { commandReplyOf } from '../sandbox/command-reply';
import { EVENT_INLINE_OUTPUT_BYTES } from '../sandbox/output-inline';

/**
 * CommandRequested → exec in the sandbox (timeout, output cap, OOM / pids detection) →
 * CommandExecuted, plus WorkspaceChanged for the files the command changed, in one append.
 * A run row marks the command in flight, so that after a crash recovery knows it was cut off.
 */
@Injectable()
export class RunCommandHandler {
  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly reaper: ReaperService,
  ) {}

  execute(data: EventData<typeof CommandRequested>, request: StoredEvent): Promise<CommandReply> {
    return this.run(data, request);
  }

  /**
   * The command's step, shared with the one-shot run. With `thenDestroy` (a one-shot run), the
   * sandbox is halted once the command has ended — so the scan that follows is its last — and
   * SandboxDestroyed goes into the command's append; its container is removed in the background
   * (as a release's). A crash between the halt and the append leaves the run row open: recovery
   * destroys the sandbox as interrupted, as for a command cut off.
   */
  async run(data: EventData<typeof CommandRequested>, request: StoredEvent, options: { thenDestroy?: boolean } = {}): Promise<CommandReply> {
    await this.reaper.ready();
    const { runtime } = this;
    // The run row (in flight: recovery's mark) goes in with the reads; closed again if the command is refused.
    const [state, row] = await Promise.all([
      runtime.load(data.sandboxId),
      runtime.repo.findSandbox(data.sandboxId),
      runtime.repo.startRun(request.id, data.sandboxId, runtime.instanceId),
    ]);
    let live: ReturnType<typeof assertLive>;
    let entry: ReturnType<typeof runtime.engines.byKey>;
    try {
      live = assertLive(state, data.sandboxId);
      entry = runtime.engines.byKey(live.engine);
      if (!row || !entry) throw new SandboxRequestError('SANDBOX_ENGINE_ERROR', `sandbox ${data.sandboxId} is on engine ${live.engine}, which is not configured here`);
    } catch (err) {
      await runtime.repo.finishRun(runtime.repo.pool, request.id, 'refused');
      throw err;
    }
    const metadata = runtime.metadataFor(request);
    let result: ExecResult;
    try {
      result = await entry.engine.exec(data.sandboxId, data.cmd, { timeoutMs: data.timeoutMs, maxOutputBytes: data.maxOutputBytes });
    } catch (err) {
      throw await this.execFailed(data.sandboxId, live.engine, request, err);
    }

    const big = (s: string) => Buffer.byteLength(s, 'utf8') > EVENT_INLINE_OUTPUT_BYTES;
    const stdoutHash = big(result.stdout) ? await runtime.store.putBlob(result.stdout) : undefined;
    const stderrHash = big(result.stderr) ? await runtime.store.putBlob(result.stderr) : undefined;
    const executed = {
      sandboxId: data.sandboxId,
      requestId: request.id,
      exitCode: result.exitCode,
      ...(stdoutHash ? { stdoutHash } : { stdout: result.stdout }),
      ...(stderrHash ? { stderrHash } : { stderr: result.stderr }),
      stdoutBytes: result.stdoutBytes,
      stderrBytes: result.stderrBytes,
      truncated: result.truncated,
      durationMs: result.durationMs,
      timedOut: result.timedOut,
      oomKilled: result.oomKilled,
      pidsLimitHit: result.pidsLimitHit,
    };
    const thenDestroy = options.thenDestroy ? ('released' as const) : undefined;
    if (thenDestroy) await entry.engine.haltSandbox(data.sandboxId);
    const changes = await runtime.withWorkspace(live.workspaceId, async () => {
      const found = await runtime.workspaceChanges(live.workspaceId, row.workspacePath);
      const changed = found.map(({ path, hash }) => ({ path, hash }));
      await runtime
        .record(data.sandboxId, { type: 'RecordCommand', executed, workspaceId: live.workspaceId, changes: changed, thenDestroy }, {
          metadata,
          alsoInTx: async (tx, events) => {
            // No change found: no manifest to write, nothing to serialise against.
            if (events.length && found.length) {
              await runtime.repo.lockWorkspace(tx, live.workspaceId);
              await runtime.repo.applyChanges(tx, live.workspaceId, found);
            }
            await runtime.repo.finishRun(tx, request.id, 'executed');
            if (thenDestroy) await runtime.repo.markDestroyed(tx, data.sandboxId, thenDestroy);
          },
        })
        .catch(async (err: unknown) => {
          // Destroyed (its end recorded by whoever destroyed it) after the command ended but before its record: the row is closed here.
          if (err instanceof SandboxRequestError && err.code === 'SANDBOX_DESTROYED') await runtime.repo.finishRun(runtime.repo.pool, request.id, 'destroyed');
          throw err;
        });
      return found;
    });
    if (thenDestroy) await this.reaper.remove(data.sandboxId, live.engine, row, { removeInBackground: true });

    return commandReplyOf(executed, result, changes.length);
  }

  /**
   * The exec did not give the command's result. Its sandbox went — halted by this service (a
   * release, the reaper: the one who destroys it records its end), or its container died or was
   * removed under the command (recorded here as lost, with what the workspace gained, and the
   * container removed in the background) — : SANDBOX_DESTROYED, which the caller treats as an
   * infrastructure fault (a new sandbox). Otherwise an engine error. Either way the run row is
   * closed; no pooled connection is held across the Docker calls.
   */
  private async execFailed(sandboxId: string, engineKey: string, request: StoredEvent, err: unknown): Promise<SandboxRequestError> {
    const { runtime } = this;
    const halted = err instanceof SandboxGoneError && err.how === 'halted';
    const lost = !halted && err instanceof SandboxError && (err.code === 'SANDBOX_GONE' || err.code === 'SANDBOX_NOT_FOUND');
    if (!halted && !lost) {
      await runtime.repo.finishRun(runtime.repo.pool, request.id, 'failed');
      return new SandboxRequestError('SANDBOX_ENGINE_ERROR', (err as Error).message);
    }
    if (lost) {
      runtime.logger.warn('sandbox container went while a command ran in it', { sandboxId, requestId: request.id, error: (err as Error).message });
      await this.reaper
        .destroy(sandboxId, engineKey, 'lost', request.id, runtime.metadataFor(request), { removeInBackground: true })
        .catch((destroyErr: Error) => runtime.logger.warn('recording a lost sandbox failed; the reaper will', { sandboxId, error: destroyErr.message }));
    }
    await runtime.repo.finishRun(runtime.repo.pool, request.id, 'destroyed');
    return new SandboxRequestError('SANDBOX_DESTROYED', `sandbox ${sandboxId} was destroyed while the command ran (${(err as Error).message})`, { sandboxId });
  }
}
