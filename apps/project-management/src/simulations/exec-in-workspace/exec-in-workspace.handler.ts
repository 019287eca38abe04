import { GatewayTimeoutException, HttpException, HttpStatus, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TimeoutError } from 'rxjs';
import { EventData, SIMULATION_REPOSITORY_TEAM, SandboxImageKind, SimulationStarted, TeamFormed, SweSimError, formationStream, simulationStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { EventStoreClient } from '@swe-sim/transport';
import { WORKSPACE_SANDBOX_CLIENT, WorkspaceSandboxPort } from './workspace-sandbox.port';

export interface ExecRequest {
  cmd: string | string[];
  timeoutMs: number;
  image?: SandboxImageKind;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  oomKilled: boolean;
  pidsLimitHit: boolean;
  durationMs: number;
}

/** Bytes of output kept per stream (sandbox-control answers up to 48 KiB of it inline, head and tail). */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** How long the sandbox may outlive the command before the reaper removes it, should sandbox-control never destroy it. */
const TTL_BEYOND_COMMAND_MS = 5 * 60_000;

/**
 * Runs one command in a fresh sandbox on a throwaway copy of a team's workspace. Teams share the
 * simulation's one repository (main at the top, each feature's worktree in .worktrees/<feature>),
 * so the copy is of that repository — for one of the simulation's teams or for `repo` itself. The
 * copy is sandbox-control's (`workspace: 'copy'`): nothing the command does reaches the workspace
 * or its recorded history of code, and the copy goes with the sandbox. One request
 * (SandboxRunRequested) creates the sandbox, runs the command and destroys the sandbox: it goes
 * even if this process dies meanwhile; its TTL is the last resort.
 */
@Injectable()
export class ExecInWorkspaceHandler {
  constructor(
    private readonly store: EventStore,
    @Inject(WORKSPACE_SANDBOX_CLIENT) private readonly client: EventStoreClient,
  ) {}

  async execute(simulationId: string, teamId: string, request: ExecRequest): Promise<ExecResult> {
    const { stack, teams } = await this.simulation(simulationId);
    if (teamId !== SIMULATION_REPOSITORY_TEAM && !teams.has(teamId)) {
      throw new NotFoundException({
        code: 'TEAM_NOT_FOUND',
        message: `Team ${teamId} is not in simulation ${simulationId} (its teams: ${[...teams, SIMULATION_REPOSITORY_TEAM].join(', ')})`,
      });
    }
    const sandboxId = `exec-${randomUUID()}`;
    const port = new WorkspaceSandboxPort(this.client, simulationId, `exec:${sandboxId}`);
    try {
      const r = await port.runOnCopy(
        sandboxId,
        { teamId: SIMULATION_REPOSITORY_TEAM, image: request.image ?? stack, ttlMs: request.timeoutMs + TTL_BEYOND_COMMAND_MS },
        request.cmd,
        request.timeoutMs,
        MAX_OUTPUT_BYTES,
      );
      return {
        exitCode: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr,
        truncated: r.truncated,
        timedOut: r.timedOut,
        oomKilled: r.oomKilled,
        pidsLimitHit: r.pidsLimitHit,
        durationMs: r.durationMs,
      };
    } catch (err) {
      throw this.toHttp(err, sandboxId);
    }
  }

  /**
   * The simulation's stack and team ids, from its start and its TeamFormed events; 404 when it does
   * not exist. Read from their two streams, which show an append once it commits (the log in commit
   * order would hide a simulation started a moment ago while any older transaction is open).
   */
  private async simulation(simulationId: string): Promise<{ stack: SandboxImageKind; teams: Set<string> }> {
    const [first] = await this.store.readStream(simulationStream(simulationId), { toVersion: 1 });
    if (!first || first.type !== SimulationStarted.type) throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${simulationId} not found` });
    const formation = await this.store.readStream(formationStream(simulationId));
    const teams = new Set(formation.filter((e) => e.type === TeamFormed.type).map((e) => (e.data as EventData<typeof TeamFormed>).teamId));
    return { stack: (first.data as EventData<typeof SimulationStarted>).project.stack, teams };
  }

  /** sandbox-control's refusals and silences as HTTP errors (its code kept in details). */
  private toHttp(err: unknown, sandboxId: string): unknown {
    if (err instanceof HttpException) return err;
    if (err instanceof TimeoutError || (err instanceof SweSimError && err.code === 'RPC_TIMEOUT')) {
      return new GatewayTimeoutException({ code: 'SANDBOX_TIMEOUT', message: `sandbox-control did not answer in time (sandbox ${sandboxId})` });
    }
    if (err instanceof SweSimError) {
      return new HttpException(
        { code: 'SANDBOX_UNAVAILABLE', message: `sandbox-control refused the exec: ${err.message}`, details: { sandboxCode: err.code, sandboxId } },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    return err;
  }
}
