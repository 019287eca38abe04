import { Injectable } from '@nestjs/common';
import { EventData, SandboxCreated, agentEndpointFolder, SandboxErrorCode, SandboxReply, SandboxRequested } from '@swe-sim/contracts';
import { StoredEvent } from '@swe-sim/event-store';
import Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SANDBOX_NAME_PREFIX, SandboxError, SandboxLabel, SandboxLimits, WorkspaceSpec } from '../docker';
import { isInside, ReaperService } from '../reaper/reaper.service';
import { SandboxRuntime, workspaceCopyId } from '../sandbox/sandbox-runtime';
import { SandboxRequestError } from '../sandbox/sandbox.errors';
import { SandboxState } from '../sandbox/sandbox.decider';

type Request = EventData<typeof SandboxRequested>;

/** `<simulationId>/<teamId>` for the team's workspace, `copy/<sandboxId>` for a copy of it, `scratch/<sandboxId>` without a team. */
const workspaceIdOf = (data: Request, simulationId: string) =>
  !data.teamId ? `scratch/${data.sandboxId}` : data.workspace === 'copy' ? workspaceCopyId(data.sandboxId) : `${simulationId}/${data.teamId}`;

/** The answer to a SandboxRequested: what its SandboxCreated recorded (the same right after the creation and on a repeat). */
const sandboxReplyOf = (created: EventData<typeof SandboxCreated>): SandboxReply => ({
  sandboxId: created.sandboxId,
  workspaceId: created.workspaceId,
  image: created.image,
  engine: created.engine,
  containerName: created.containerName,
  fromPool: created.fromPool,
  limits: created.limits,
  expiresAt: created.expiresAt,
});

/** Labels beside the engine's own (swe-sim.*): which request made the container, and until when it may live. */
export const REQUEST_LABEL = 'sandbox-control.request-id';
export const EXPIRES_LABEL = 'sandbox-control.expires-at';

/**
 * SandboxRequested → a hardened container named after the sandbox id, with the team's workspace at
 * /workspace (or a throwaway copy of it, `workspace: 'copy'`); SandboxCreated (or SandboxFailed) in
 * stream sandbox-<id>. The container starts while that is recorded and answered (see watchStart).
 * Idempotent: a retry of the same request, or a new request for the same sandbox with the same
 * spec, answers with the sandbox that exists; a container left by a crash before SandboxCreated
 * was recorded is adopted (containers are named by sandbox id: there is never a second one).
 */
@Injectable()
export class RequestSandboxHandler {
  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly reaper: ReaperService,
  ) {}

  async execute(data: Request, request: StoredEvent): Promise<SandboxReply> {
    await this.reaper.ready();
    const { runtime } = this;
    const simulationId = request.metadata.simulationId;
    if (!simulationId) {
      throw new SandboxRequestError('SANDBOX_SIMULATION_REQUIRED', 'SandboxRequested needs metadata.simulationId (the workspace belongs to a simulation)');
    }
    if (data.workspace === 'copy' && !data.teamId) {
      return this.fail(data, request, 'SANDBOX_INVALID_SPEC', 'a copy of a workspace needs the teamId whose workspace is copied');
    }
    const limits: SandboxLimits = { ...runtime.defaultLimits, ...(data.limits ?? {}) };
    const over = (Object.keys(limits) as Array<keyof SandboxLimits>).filter((k) => limits[k] > runtime.maxLimits[k]);
    if (over.length) {
      const reason = over.map((k) => `${k} ${limits[k]} > ${runtime.maxLimits[k]}`).join(', ');
      return this.fail(data, request, 'SANDBOX_LIMITS_EXCEEDED', `limits above this service's maximum: ${reason}`);
    }

    // One creation per sandbox id at a time here; across a crash, the container name is the guard.
    return runtime.withSandbox(data.sandboxId, () => this.create(data, request, simulationId, limits));
  }

  private async create(data: Request, request: StoredEvent, simulationId: string, limits: SandboxLimits): Promise<SandboxReply> {
    const { runtime } = this;
    const metadata = runtime.metadataFor(request);
    const existing = await runtime.load(data.sandboxId);
    const answered = await this.existingAnswer(existing, data, simulationId, request.id);
    if (answered) return answered;

    const entry = runtime.engines.forSandbox(data.sandboxId);
    const image = runtime.imageFor(data.image);
    const copy = data.workspace === 'copy';
    const workspaceId = workspaceIdOf(data, simulationId);
    const ttlMs = data.ttlMs ?? runtime.config.SANDBOX_TTL_MS;
    const expiresAt = new Date(Date.now() + ttlMs);
    runtime.creating.add(data.sandboxId);
    // The container starts while SandboxCreated is recorded and the reply travels (see watchStart).
    let started: Promise<void> = Promise.resolve();
    let watched: Promise<void> | null = null;
    try {
      const workspace: WorkspaceSpec = !data.teamId
        ? { type: 'fresh' }
        : copy
          ? { type: 'bind', hostPath: await runtime.copyTeamWorkspace(simulationId, data.teamId, data.sandboxId) }
          : { type: 'bind', hostPath: await runtime.ensureTeamWorkspace(simulationId, data.teamId) };
      const endpointHostPath = data.llmEndpoint ? await this.endpointFolder(data.sandboxId) : undefined;
      let made: { containerId: string; containerName: string; workspacePath: string; fromPool: boolean; expiresAt: Date };
      try {
        const handle = await entry.engine.createSandbox({
          sandboxId: data.sandboxId,
          simulationId,
          image,
          workspace,
          limits,
          endpointHostPath,
          labels: { [REQUEST_LABEL]: request.id, [EXPIRES_LABEL]: expiresAt.toISOString() },
          startInBackground: true,
        });
        started = handle.started;
        made = { containerId: handle.containerId, containerName: handle.containerName, workspacePath: handle.workspaceHostPath!, fromPool: handle.fromPool, expiresAt };
      } catch (err) {
        if (!(err instanceof SandboxError)) throw err;
        if (err.code === 'SANDBOX_ALREADY_EXISTS') {
          const adopted = await this.adoptLeftover(entry.engine.docker, data.sandboxId, simulationId);
          if (!adopted) throw new SandboxRequestError('SANDBOX_ALREADY_EXISTS', `a container for sandbox ${data.sandboxId} exists and is not this simulation's`);
          made = adopted;
        } else {
          if (workspace.type === 'bind' && copy) await fs.rm(workspace.hostPath, { recursive: true, force: true }); // no container mounts it
          const code: SandboxErrorCode = err.code === 'SANDBOX_INVALID_SPEC' ? 'SANDBOX_INVALID_SPEC' : 'SANDBOX_ENGINE_ERROR';
          return this.fail(data, request, code, err.message);
        }
      }
      const created = {
        sandboxId: data.sandboxId,
        requestId: request.id,
        simulationId,
        teamId: data.teamId ?? null,
        workspaceId,
        ...(copy ? { copyOf: `${simulationId}/${data.teamId}` } : {}),
        imageKind: data.image,
        image,
        limits,
        runtime: runtime.config.SANDBOX_RUNTIME || null,
        engine: entry.key,
        containerName: made.containerName,
        containerId: made.containerId,
        fromPool: made.fromPool,
        instanceId: runtime.instanceId,
        expiresAt: made.expiresAt.toISOString(),
      };
      const { events, state } = await runtime.record(data.sandboxId, { type: 'RecordCreated', data: created }, {
        metadata,
        alsoInTx: async (tx, events) => {
          if (events.length === 0) return;
          await runtime.repo.insertSandbox(tx, {
            sandboxId: data.sandboxId,
            simulationId,
            // A copy is nobody's workspace: like a scratch one, it is deleted with the sandbox.
            teamId: copy ? null : data.teamId ?? null,
            workspaceId,
            workspacePath: made.workspacePath,
            image,
            engine: entry.key,
            containerName: made.containerName,
            instanceId: runtime.instanceId,
            createdAt: new Date(),
            expiresAt: made.expiresAt,
            ownerTaskId: data.ownerTaskId ?? null,
            // The request's place in the log: an end of its task or simulation after it does not concern it (see OwnerEndsRepository).
            requestPosition: request.globalPosition,
          });
        },
      });
      watched = this.watchStart(started, data, request, made.workspacePath);
      // Recorded now: the answer is what was recorded (no need to read it back).
      if (events.some((e) => e.type === 'SandboxCreated')) return sandboxReplyOf(created);
      const reply = await this.existingAnswer(state, data, simulationId, request.id);
      return reply!;
    } finally {
      // The reaper keeps its hands off until the start has settled (and a failure is recorded).
      void (watched ?? started.catch(() => undefined)).finally(() => runtime.creating.delete(data.sandboxId));
    }
  }

  /**
   * SandboxCreated is recorded (and answered) while the container is still starting: commands wait
   * for the start in the engine. If it fails, the container is gone (the engine removed it) and the
   * failure becomes SandboxFailed in the sandbox's stream (the row is closed, a scratch or copied
   * workspace deleted); the commands that waited get the start's error. A crash before the start
   * finished leaves a container that never ran: the reaper records the sandbox as lost.
   */
  private watchStart(started: Promise<void>, data: Request, request: StoredEvent, workspacePath: string): Promise<void> {
    const { runtime } = this;
    const engine = runtime.engines.forSandbox(data.sandboxId).engine;
    return started.catch(async (err: unknown) => {
      const reason = (err as Error).message;
      runtime.logger.warn('sandbox container did not start', { sandboxId: data.sandboxId, error: reason });
      try {
        await runtime.record(
          data.sandboxId,
          { type: 'RecordStartFailed', data: { sandboxId: data.sandboxId, requestId: request.id, code: 'SANDBOX_ENGINE_ERROR', reason } },
          {
            metadata: runtime.metadataFor(request),
            alsoInTx: async (tx, events) => {
              if (events.length) await runtime.repo.markDestroyed(tx, data.sandboxId, 'start-failed');
            },
          },
        );
        await engine.destroySandbox(data.sandboxId); // the container is gone already: the engine forgets it
        // A workspace of this sandbox alone (scratch, copy) goes; a team's stays.
        if (isInside(path.join(runtime.config.SANDBOX_WORKSPACE_ROOT, '.scratch'), workspacePath)) await fs.rm(workspacePath, { recursive: true, force: true });
      } catch (recordErr) {
        // The reaper finds the row without a container and records the sandbox as lost.
        runtime.logger.error('recording a failed sandbox start failed', { sandboxId: data.sandboxId, error: (recordErr as Error).message });
      }
    });
  }

  /** An agent program's folder, empty, readable by the sandbox user (agent-execution fills it). */
  private async endpointFolder(sandboxId: string): Promise<string> {
    const folder = agentEndpointFolder(this.runtime.config.AGENT_ENDPOINT_ROOT, sandboxId);
    await fs.mkdir(folder, { recursive: true, mode: 0o755 });
    await fs.chmod(folder, 0o755); // whatever the umask
    return folder;
  }

  /** The answer when the sandbox exists already: itself when the spec matches, else a refusal. */
  private async existingAnswer(state: SandboxState, data: Request, simulationId: string, requestId: string): Promise<SandboxReply | null> {
    if (state.status === 'none' || state.status === 'failed') return null;
    if (state.status === 'destroyed') {
      throw new SandboxRequestError('SANDBOX_DESTROYED', `sandbox ${data.sandboxId} was destroyed (${state.reason}); use a new id`);
    }
    const sameSpec =
      state.simulationId === simulationId &&
      state.teamId === (data.teamId ?? null) &&
      state.imageKind === data.image &&
      (data.teamId === undefined || state.workspaceId === workspaceIdOf(data, simulationId));
    if (state.requestId !== requestId && !sameSpec) {
      throw new SandboxRequestError('SANDBOX_ALREADY_EXISTS', `sandbox ${data.sandboxId} already exists with another spec`);
    }
    const events = await this.runtime.store.readStream(`sandbox-${data.sandboxId}`);
    return sandboxReplyOf(events.reverse().find((e) => e.type === 'SandboxCreated')!.data as EventData<typeof SandboxCreated>);
  }

  /** A container named for this sandbox exists (a crash came between its start and SandboxCreated): take it if it is ours. */
  private async adoptLeftover(docker: Docker, sandboxId: string, simulationId: string) {
    const info = await docker.getContainer(`${SANDBOX_NAME_PREFIX}${sandboxId}`).inspect().catch(() => null);
    const labels = info?.Config.Labels ?? {};
    if (!info || labels[SandboxLabel.simulationId] !== simulationId) return null;
    if (!info.State.Running) await docker.getContainer(info.Id).start(); // made, not started, when the crash came
    const ws = info.Mounts.find((m) => m.Destination === '/workspace');
    const expires = labels[EXPIRES_LABEL] ? new Date(labels[EXPIRES_LABEL]) : new Date(Date.now() + this.runtime.config.SANDBOX_TTL_MS);
    return { containerId: info.Id, containerName: info.Name.replace(/^\//, ''), workspacePath: ws?.Source ?? '', fromPool: false, expiresAt: expires };
  }

  private async fail(data: Request, request: StoredEvent, code: SandboxErrorCode, reason: string): Promise<never> {
    await this.runtime.record(
      data.sandboxId,
      { type: 'RecordFailed', data: { sandboxId: data.sandboxId, requestId: request.id, code, reason } },
      { metadata: this.runtime.metadataFor(request) },
    );
    throw new SandboxRequestError(code, reason);
  }
}
