import { lastValueFrom, timeout } from 'rxjs';
import { CommandReply, SandboxImageKind } from '@swe-sim/contracts';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';

/** The transport client project-management asks sandbox-control with (its own: commands may outlast RPC_TIMEOUT_MS). */
export const WORKSPACE_SANDBOX_CLIENT = Symbol('WORKSPACE_SANDBOX_CLIENT');

/** What to wait for each request, beyond the command's own time-out: a create queued behind others, a busy engine. */
export const CREATE_WAIT_MS = 120_000;
export const RELEASE_WAIT_MS = 30_000;
export const RUN_MARGIN_MS = 60_000;

/**
 * project-management's side of sandbox-control's requests for one exec: a sandbox on a throwaway
 * copy of a team's workspace, one command, the release. Each request carries the exec's
 * correlation id and the simulation, so its events are in the simulation's history.
 */
export class WorkspaceSandboxPort {
  constructor(
    private readonly client: EventStoreClient,
    private readonly simulationId: string,
    private readonly correlationId: string,
  ) {}

  private send<T>(type: string, data: unknown, waitMs: number): Promise<T> {
    const record = new EventRecord(data, { metadata: { simulationId: this.simulationId, correlationId: this.correlationId, actor: 'project-management' } });
    return lastValueFrom(this.client.send<T>(type, record).pipe(timeout({ first: waitMs })));
  }

  /** A sandbox whose /workspace is a copy of the team's, removed by the reaper after ttlMs if never released. */
  createOnCopy(sandboxId: string, teamId: string, image: SandboxImageKind, ttlMs: number): Promise<unknown> {
    return this.send('SandboxRequested', { sandboxId, teamId, image, workspace: 'copy', ttlMs }, CREATE_WAIT_MS);
  }

  run(sandboxId: string, cmd: string | string[], timeoutMs: number, maxOutputBytes: number): Promise<CommandReply> {
    return this.send('CommandRequested', { sandboxId, cmd, timeoutMs, maxOutputBytes }, timeoutMs + RUN_MARGIN_MS);
  }

  release(sandboxId: string): Promise<unknown> {
    return this.send('SandboxReleased', { sandboxId, reason: 'exec ended' }, RELEASE_WAIT_MS);
  }
}
