import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EventMetadata, SandboxImageKind, agentEndpointFolder } from '@swe-sim/contracts';
import { ManagedContainer, SandboxLabel } from '../docker';
import { Semaphore } from '../docker/semaphore';
import { OwnerEndsRepository } from '../owner-ends/owner-ends.repository';
import { EngineEntry } from '../sandbox/engines';
import { SandboxRuntime } from '../sandbox/sandbox-runtime';
import { DestroyReason } from '../sandbox/sandbox.decider';
import { SandboxRow } from '../sandbox/sandbox.repository';
import { judgeContainer, Verdict } from './reaper-judge';

const REAPER_METADATA = (simulationId: string | null): Partial<EventMetadata> => ({
  simulationId,
  correlationId: 'sandbox-control-reaper',
  causationId: null,
  actor: 'sandbox-control',
});

/**
 * Orphaned sandboxes destroyed at once by a pass: bounded so that dozens ending together neither
 * queue up the Docker engine nor take many pooled connections (each destroy holds one only for its
 * short transactions, never across Docker calls).
 */
const ORPHAN_DESTROYS_AT_ONCE = 4;

/**
 * Start-up and periodic housekeeping:
 * - recovery: commands cut off by a crash (run rows left open by this instance's earlier life
 *   or by an instance whose heartbeat stopped) → what they changed in the workspace is recorded,
 *   their sandbox is destroyed (reason "interrupted"): its state is unknown, processes may linger;
 * - reaping: labelled containers of this deployment's instances whose sandbox was released,
 *   whose TTL passed, that stopped, or that no read-model row knows; rows whose container
 *   vanished are recorded as destroyed ("lost"); live sandboxes recorded as created are adopted;
 * - owners' ends: live sandboxes whose agent task ended or was suspended, or whose simulation
 *   ended, after they were requested are destroyed ("owner-ended", "simulation-ended"): nobody
 *   will release them. Every pass looks, so a sandbox goes within one interval of the
 *   subscription reading its owner's end (after a restart: once it has caught up with the log).
 * Handlers wait for the first pass (ready()) so that nothing runs on a half-recovered state.
 */
@Injectable()
export class ReaperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private starting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private stopped = false;
  /** Container removals left running after a release replied (see destroy). */
  private readonly removals = new Set<Promise<void>>();

  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly ends: OwnerEndsRepository,
  ) {}

  onApplicationBootstrap(): void {
    void this.ready().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.pass?.catch(() => undefined);
    await this.removalsSettled();
  }

  /** Resolves once start-up recovery and the first reaping pass are done (retried on the next call after a failure). */
  ready(): Promise<void> {
    this.starting ??= this.start().catch((err) => {
      this.starting = null;
      this.runtime.logger.error('sandbox-control start-up failed', { error: (err as Error).message });
      throw err;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    const { runtime } = this;
    await runtime.repo.registerInstance(runtime.instanceId, runtime.startedAt);
    await this.runPass();
    if (runtime.config.SANDBOX_WARM_POOL > 0) {
      for (const entry of runtime.engines.entries) {
        for (const kind of ['python', 'node'] as SandboxImageKind[]) {
          entry.engine.enableWarmPool({ image: runtime.imageFor(kind), size: runtime.config.SANDBOX_WARM_POOL, limits: runtime.defaultLimits, runtime: runtime.config.SANDBOX_RUNTIME || undefined });
        }
      }
    }
    if (!this.stopped) {
      this.timer = setInterval(() => void this.runPass().catch(() => undefined), runtime.config.SANDBOX_REAP_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** One pass (never two at once). */
  runPass(): Promise<void> {
    this.pass ??= this.passOnce()
      .catch((err) => this.runtime.logger.error('reaper pass failed', { error: (err as Error).message }))
      .finally(() => (this.pass = null));
    return this.pass;
  }

  private staleBefore(): Date {
    return new Date(Date.now() - Math.max(3 * this.runtime.config.SANDBOX_REAP_INTERVAL_MS, 15_000));
  }

  private async passOnce(): Promise<void> {
    const { runtime } = this;
    await runtime.repo.heartbeat(runtime.instanceId);
    await this.recoverInterruptedCommands();
    await this.reapOrphans();
    for (const entry of runtime.engines.entries) await this.reapEngine(entry);
  }

  private async recoverInterruptedCommands(): Promise<void> {
    const { runtime } = this;
    for (const run of await runtime.repo.interruptedRuns(runtime.instanceId, runtime.startedAt, this.staleBefore())) {
      const state = await runtime.load(run.sandboxId);
      if (state.status === 'created') {
        runtime.logger.warn('command interrupted by a crash: destroying its sandbox', { sandboxId: run.sandboxId, requestId: run.requestId });
        await this.destroy(run.sandboxId, state.engine, 'interrupted', run.requestId, REAPER_METADATA(state.simulationId));
      }
      await runtime.repo.finishRun(runtime.repo.pool, run.requestId, 'interrupted');
    }
  }

  /**
   * Destroys the live sandboxes whose owner ended (few at a time: each halts, scans and removes a
   * container). A failure is logged and left to the next pass; a crash at any point too: the row
   * stays 'created' until SandboxDestroyed is recorded, and a destroyed row's container is removed
   * by reapEngine. Sandboxes being created right now are left to the next pass.
   */
  private async reapOrphans(): Promise<void> {
    const { runtime } = this;
    const orphans = (await this.ends.orphanedSandboxes(runtime.engines.keys())).filter((o) => !runtime.creating.has(o.sandboxId));
    const slots = new Semaphore(ORPHAN_DESTROYS_AT_ONCE);
    await Promise.all(
      orphans.map((o) =>
        slots.run(async () => {
          if (this.stopped) return;
          runtime.logger.info('destroying a sandbox whose owner ended', { sandboxId: o.sandboxId, reason: o.reason });
          await this.destroy(o.sandboxId, o.engine, o.reason, null, REAPER_METADATA(o.simulationId)).catch((err) =>
            runtime.logger.warn('destroying a sandbox whose owner ended failed; next pass retries', { sandboxId: o.sandboxId, error: (err as Error).message }),
          );
        }),
      ),
    );
  }

  private async reapEngine(entry: EngineEntry): Promise<void> {
    const { runtime } = this;
    const instances = await runtime.repo.instances(this.staleBefore());
    const liveOwners = new Set([...instances].filter(([, live]) => live).map(([id]) => id));
    liveOwners.add(runtime.instanceId);
    // Rows first, then containers: a row that exists now has its container in the listing.
    const liveRows = await runtime.repo.liveSandboxes([entry.key]);
    const ours = (await entry.engine.listManaged()).filter((c) => c.owner !== undefined && (instances.has(c.owner) || c.owner === runtime.instanceId));
    const rows = await runtime.repo.findSandboxes(ours.map((c) => c.sandboxId).filter((id): id is string => id !== undefined));
    const now = new Date();
    const seen = new Set<string>();
    for (const c of ours) {
      if (c.sandboxId) seen.add(c.sandboxId);
      const row = c.sandboxId ? rows.get(c.sandboxId) : undefined;
      const verdict = judgeContainer(
        { sandboxId: c.sandboxId, pool: c.pool, owner: c.owner, state: c.state, createdAt: createdAtOf(c) },
        { row, now, graceMs: runtime.config.SANDBOX_REAP_GRACE_MS, creating: runtime.creating, me: runtime.instanceId, startedAt: runtime.startedAt, liveOwners },
      );
      await this.apply(entry, c, verdict, row?.simulationId ?? null);
    }
    for (const row of liveRows) {
      if (!seen.has(row.sandboxId) && !runtime.creating.has(row.sandboxId) && !(await this.exists(entry, row.containerName))) {
        runtime.logger.warn('sandbox container vanished', { sandboxId: row.sandboxId });
        await this.destroy(row.sandboxId, entry.key, 'lost', null, REAPER_METADATA(row.simulationId));
      }
    }
    const orphaned = liveRows.filter((r) => r.instanceId !== runtime.instanceId && !liveOwners.has(r.instanceId)).map((r) => r.sandboxId);
    await runtime.repo.adopt(orphaned, runtime.instanceId);
  }

  private async exists(entry: EngineEntry, containerName: string): Promise<boolean> {
    return entry.engine.docker
      .getContainer(containerName)
      .inspect()
      .then(() => true, (err: { statusCode?: number }) => err.statusCode !== 404);
  }

  private async apply(entry: EngineEntry, c: ManagedContainer, verdict: Verdict, simulationId: string | null): Promise<void> {
    if (verdict.action === 'keep') return;
    this.runtime.logger.info('reaping container', { container: c.name, sandboxId: c.sandboxId, action: verdict.action, reason: verdict.reason });
    if (verdict.action === 'remove') {
      // A scratch workspace (pool or fresh) goes with its container; a team's stays.
      const info = await entry.engine.docker.getContainer(c.containerId).inspect().catch(() => null);
      const source = info?.Mounts.find((m) => m.Destination === '/workspace')?.Source;
      await entry.engine.reap((x) => x.containerId === c.containerId, c.sandboxId ? { sandboxId: c.sandboxId } : { pool: c.pool });
      if (source && isInside(path.join(this.runtime.config.SANDBOX_WORKSPACE_ROOT, '.scratch'), source)) await fs.rm(source, { recursive: true, force: true });
      return;
    }
    await this.destroy(c.sandboxId!, entry.key, verdict.reason, null, REAPER_METADATA(simulationId));
  }

  /**
   * Halts a sandbox's container (every process frozen or killed: nothing in it writes again),
   * records what its workspace gained since the last record (WorkspaceChanged) and
   * SandboxDestroyed, then removes the container; a scratch workspace is deleted, a team's kept.
   * With `removeInBackground` (a release) it returns once the facts are recorded and the removal
   * finishes on its own (awaited at shutdown); if it fails or the process dies first, the reaper
   * removes the container of a destroyed sandbox on its next pass.
   */
  async destroy(
    sandboxId: string,
    engineKey: string,
    reason: DestroyReason,
    requestId: string | null,
    metadata: Partial<EventMetadata>,
    options: { removeInBackground?: boolean } = {},
  ): Promise<void> {
    const { runtime } = this;
    const entry = runtime.engines.byKey(engineKey);
    // What is recorded about it is read while it is being halted; the workspace only after.
    const [row, state] = await Promise.all([runtime.repo.findSandbox(sandboxId), runtime.load(sandboxId), entry?.engine.haltSandbox(sandboxId)]);
    if (row && state.status !== 'none' && state.status !== 'failed') {
      const workspaceId = state.workspaceId;
      await runtime.withWorkspace(workspaceId, async () => {
        const changes = await runtime.workspaceChanges(workspaceId, row.workspacePath);
        if (changes.length === 0) return;
        await runtime.record(sandboxId, { type: 'RecordWorkspaceChange', sandboxId, workspaceId, requestId, changes: changes.map(({ path, hash }) => ({ path, hash })) }, {
          metadata,
          alsoInTx: async (tx, events) => {
            if (events.length === 0) return;
            await runtime.repo.lockWorkspace(tx, workspaceId);
            await runtime.repo.applyChanges(tx, workspaceId, changes);
          },
        });
      });
    }
    await runtime.record(sandboxId, { type: 'Destroy', sandboxId, reason, requestId }, {
      metadata,
      alsoInTx: async (tx) => runtime.repo.markDestroyed(tx, sandboxId, reason),
    });
    await this.remove(sandboxId, engineKey, row, options);
  }

  /**
   * Removes the container of a sandbox whose SandboxDestroyed is recorded (and its workspace if
   * scratch or a copy; a team's stays). With `removeInBackground` it returns at once (awaited at
   * shutdown); if the removal fails or the process dies first, the reaper removes the container of
   * a destroyed sandbox on its next pass.
   */
  async remove(sandboxId: string, engineKey: string, row: SandboxRow | null, options: { removeInBackground?: boolean } = {}): Promise<void> {
    const { runtime } = this;
    const entry = runtime.engines.byKey(engineKey);
    const remove = async () => {
      await entry?.engine.destroySandbox(sandboxId);
      // An agent program's endpoint folder, if it had one (nothing to remove for any other sandbox).
      await fs.rm(agentEndpointFolder(runtime.config.AGENT_ENDPOINT_ROOT, sandboxId), { recursive: true, force: true });
      if (row && row.teamId === null && isInside(path.join(runtime.config.SANDBOX_WORKSPACE_ROOT, '.scratch'), row.workspacePath)) {
        await fs.rm(row.workspacePath, { recursive: true, force: true });
      }
    };
    if (!options.removeInBackground) return remove();
    const removal: Promise<void> = remove()
      .catch((err) => runtime.logger.warn('removing a released sandbox failed; the reaper retries', { sandboxId, error: (err as Error).message }))
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /** Resolves when the removals started in the background so far have finished. */
  async removalsSettled(): Promise<void> {
    await Promise.all([...this.removals]);
  }
}

/** p lies strictly inside dir (lexically). */
export function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function createdAtOf(c: ManagedContainer): Date {
  const label = c.labels[SandboxLabel.createdAt];
  const parsed = label ? new Date(label) : null;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : c.createdAt;
}
