import { Injectable } from '@nestjs/common';
import { EventData, SandboxRunReply, SandboxRunRequested, sandboxStream } from '@swe-sim/contracts';
import { StoredEvent } from '@swe-sim/event-store';
import { ReaperService } from '../reaper/reaper.service';
import { ReleaseSandboxHandler } from '../release-sandbox/release-sandbox.handler';
import { RequestSandboxHandler } from '../request-sandbox/request-sandbox.handler';
import { RunCommandHandler } from '../run-command/run-command.handler';
import { commandReplyOf } from '../sandbox/command-reply';
import { SandboxRuntime } from '../sandbox/sandbox-runtime';
import { SandboxEvent } from '../sandbox/sandbox.decider';
import { SandboxRequestError } from '../sandbox/sandbox.errors';
import { recordedRun } from './recorded-run';

type Request = EventData<typeof SandboxRunRequested>;

/**
 * SandboxRunRequested → the steps of SandboxRequested, CommandRequested and SandboxReleased
 * (their handlers, under this request's id: the same hardening, facts, run row and recovery) in
 * one round trip; answered with the command's reply. The sandbox is destroyed whatever the
 * command did: after a command that ran, in the command's own append (the sandbox halted before
 * its last scan); after an error, by the release step. Its removal finishes in the background.
 *
 * A re-run (a crash at any line; recovery has run before it) first reads how far the request got
 * (recordedRun): a recorded result is answered again (and its sandbox destroyed if it was not yet),
 * a command cut off is answered SANDBOX_DESTROYED (recovery destroyed its sandbox as interrupted),
 * a sandbox created but not used yet is used, and a container made but not recorded is adopted by
 * the creation step.
 */
@Injectable()
export class RunOnceHandler {
  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly reaper: ReaperService,
    private readonly requestSandbox: RequestSandboxHandler,
    private readonly runCommand: RunCommandHandler,
    private readonly releaseSandbox: ReleaseSandboxHandler,
  ) {}

  async execute(data: Request, request: StoredEvent): Promise<SandboxRunReply> {
    await this.reaper.ready();
    const { sandboxId, cmd, timeoutMs, maxOutputBytes, ...spec } = data;
    const history = (await this.runtime.store.readStream(sandboxStream(sandboxId))) as unknown as SandboxEvent[];
    const recorded = recordedRun(history, request.id);
    switch (recorded.kind) {
      case 'taken':
        throw recorded.destroyed
          ? new SandboxRequestError('SANDBOX_DESTROYED', `sandbox ${sandboxId} was used and destroyed already; use a new id`, { sandboxId })
          : new SandboxRequestError('SANDBOX_ALREADY_EXISTS', `sandbox ${sandboxId} exists (another request made it); a one-shot run needs a new id`, { sandboxId });
      case 'cut-off':
        throw new SandboxRequestError('SANDBOX_DESTROYED', `the run in sandbox ${sandboxId} was cut off (sandbox ${recorded.reason}); its command may have run in part`, {
          sandboxId,
          reason: recorded.reason,
        });
      case 'executed': {
        if (!recorded.destroyed) await this.release(sandboxId, request);
        const [stdout, stderr] = await Promise.all([
          this.outputOf(recorded.executed.stdout, recorded.executed.stdoutHash),
          this.outputOf(recorded.executed.stderr, recorded.executed.stderrHash),
        ]);
        return commandReplyOf(recorded.executed, { stdout, stderr }, recorded.changedFiles);
      }
      case 'fresh':
      case 'created':
        break;
    }

    await this.requestSandbox.execute({ sandboxId, ...spec }, request);
    try {
      // The destroy goes into the command's append (one scan and one transaction less than a release after it).
      return await this.runCommand.run({ sandboxId, cmd, timeoutMs, maxOutputBytes }, request, { thenDestroy: true });
    } catch (err) {
      // The command's error is the answer; the sandbox goes anyway (a failed start or a lost
      // container has nothing left to destroy).
      await this.release(sandboxId, request).catch((releaseErr: Error) => {
        if (!(releaseErr instanceof SandboxRequestError)) {
          this.runtime.logger.warn('destroying a one-shot sandbox after its command failed did not succeed; the reaper will', { sandboxId, error: releaseErr.message });
        }
      });
      throw err;
    }
  }

  private release(sandboxId: string, request: StoredEvent): Promise<unknown> {
    return this.releaseSandbox.execute({ sandboxId }, request);
  }

  private async outputOf(inline: string | undefined, hash: string | undefined): Promise<string> {
    if (!hash) return inline ?? '';
    const blob = await this.runtime.store.getBlob(hash);
    if (!blob) throw new SandboxRequestError('SANDBOX_BLOB_NOT_FOUND', `the recorded output blob ${hash} is missing`);
    return blob.toString('utf8');
  }
}
