import { lastValueFrom, timeout } from 'rxjs';
import { SandboxImageKind, SandboxRunReply } from '@swe-sim/contracts';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';

/** The transport client project-management asks sandbox-control with (its own: commands may outlast RPC_TIMEOUT_MS). */
export const WORKSPACE_SANDBOX_CLIENT = Symbol('WORKSPACE_SANDBOX_CLIENT');

/** What to wait for beyond the command's own time-out: a create queued behind others, a busy engine, the destroy. */
export const CREATE_WAIT_MS = 120_000;
export const RUN_MARGIN_MS = 60_000;

/**
 * project-management's side of sandbox-control's one-shot request for an exec: a sandbox on a
 * throwaway copy of a team's workspace, one command, the sandbox destroyed — one round trip
 * (SandboxRunRequested). It carries the exec's correlation id and the simulation, so its events
 * are in the simulation's history.
 */
export class WorkspaceSandboxPort {
  constructor(
    private readonly client: EventStoreClient,
    private readonly simulationId: string,
    private readonly correlationId: string,
  ) {}

  /**
   * Runs cmd in a sandbox whose /workspace is a copy of the team's; sandbox-control destroys it
   * whatever the command did (and recovers it after a crash of its own). ttlMs bounds its life
   * should sandbox-control never get to that.
   */
  runOnCopy(
    sandboxId: string,
    spec: { teamId: string; image: SandboxImageKind; ttlMs: number },
    cmd: string | string[],
    timeoutMs: number,
    maxOutputBytes: number,
  ): Promise<SandboxRunReply> {
    const data = { sandboxId, teamId: spec.teamId, image: spec.image, workspace: 'copy', ttlMs: spec.ttlMs, cmd, timeoutMs, maxOutputBytes };
    const record = new EventRecord(data, { metadata: { simulationId: this.simulationId, correlationId: this.correlationId, actor: 'project-management' } });
    return lastValueFrom(this.client.send<SandboxRunReply>('SandboxRunRequested', record).pipe(timeout({ first: CREATE_WAIT_MS + timeoutMs + RUN_MARGIN_MS })));
  }
}
