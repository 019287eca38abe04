import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { EventMetadata, SandboxImageKind, sandboxStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore, fold, StoredEvent } from '@swe-sim/event-store';
import { CONFIG, JsonLogger, LOGGER, ServiceMetrics } from '@swe-sim/service-runtime';
import { SandboxLimits, sandboxImageTags } from '../docker';
import type { PoolClient } from 'pg';
import { SandboxConfig } from '../config';
import { Engines } from './engines';
import { Gauge, KeyedMutex } from '@swe-sim/kit';
import { assertLive, FileChange, SandboxCommand, SandboxEvent, sandboxDecider, SandboxState } from './sandbox.decider';
import { SandboxRequestError } from './sandbox.errors';
import { SandboxRepository } from './sandbox.repository';
import { diffManifest, readScannedFile, sha256Hex, WorkspaceScanner } from './workspace-manifest';

const run = promisify(execFile);
const SANDBOX_UID = 1000;

export interface RecordOptions {
  metadata: Partial<EventMetadata>;
  /** Read-model writes in the transaction of the append (given the events decided, maybe none). */
  alsoInTx?: (tx: PoolClient, events: readonly SandboxEvent[], state: SandboxState) => Promise<void>;
}

/**
 * What every sandbox use case shares: config, the Docker engines, image tags, the aggregate's
 * load/decide/append (with read-model writes in the same transaction), and team workspaces.
 */
@Injectable()
export class SandboxRuntime implements OnApplicationShutdown {
  readonly engines: Engines;
  readonly instanceId: string;
  readonly startedAt = new Date();
  readonly defaultLimits: SandboxLimits;
  readonly maxLimits: SandboxLimits;
  /** Sandbox ids being created right now (the reaper keeps its hands off them). */
  readonly creating = new Set<string>();
  private readonly workspaceMutex = new KeyedMutex();
  private readonly scanner = new WorkspaceScanner();
  private images: Record<SandboxImageKind, string> | null = null;

  constructor(
    @Inject(CONFIG) readonly config: SandboxConfig,
    @Inject(LOGGER) readonly logger: JsonLogger,
    readonly store: EventStore,
    readonly repo: SandboxRepository,
    metrics: ServiceMetrics,
  ) {
    this.instanceId = config.SANDBOX_INSTANCE_ID;
    this.defaultLimits = {
      memoryBytes: config.SANDBOX_DEFAULT_MEMORY_BYTES,
      nanoCpus: config.SANDBOX_DEFAULT_NANO_CPUS,
      pidsLimit: config.SANDBOX_DEFAULT_PIDS_LIMIT,
      tmpfsBytes: config.SANDBOX_DEFAULT_TMPFS_BYTES,
    };
    this.maxLimits = {
      memoryBytes: config.SANDBOX_MAX_MEMORY_BYTES,
      nanoCpus: config.SANDBOX_MAX_NANO_CPUS,
      pidsLimit: config.SANDBOX_MAX_PIDS_LIMIT,
      tmpfsBytes: config.SANDBOX_MAX_TMPFS_BYTES,
    };
    const hosts = config.SANDBOX_DOCKER_HOSTS.split(',').map((h) => h.trim()).filter(Boolean);
    this.engines = new Engines({
      hosts,
      instanceId: this.instanceId,
      workspaceRoot: config.SANDBOX_WORKSPACE_ROOT,
      defaultLimits: this.defaultLimits,
      runtime: config.SANDBOX_RUNTIME || undefined,
      maxConcurrentCreates: config.SANDBOX_MAX_CONCURRENT_CREATES,
    });
    metrics.add(new Gauge('swe_sim_sandboxes', 'Sandboxes this instance holds, per Docker host', () => this.engines.entries.map((e) => [{ host: e.key }, e.engine.sandboxCount()])));
    metrics.add(new Gauge('swe_sim_sandboxes_being_created', 'Sandboxes this instance is creating now', () => [[{}, this.creating.size]]));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engines.close();
  }

  /** Image tag per kind: from config, else from sandbox-images/build.sh --print-tags. */
  imageFor(kind: SandboxImageKind): string {
    if (!this.images) {
      const fromConfig = { python: this.config.SANDBOX_IMAGE_PYTHON, node: this.config.SANDBOX_IMAGE_NODE };
      const tags = fromConfig.python && fromConfig.node ? null : sandboxImageTags();
      this.images = { python: fromConfig.python || tags!.python, node: fromConfig.node || tags!.node };
    }
    return this.images[kind];
  }

  metadataFor(request: StoredEvent): Partial<EventMetadata> {
    return {
      simulationId: request.metadata.simulationId,
      correlationId: request.metadata.correlationId,
      causationId: request.id,
      actor: 'sandbox-control',
    };
  }

  // ------------------------------------------------------------ the aggregate

  async load(sandboxId: string): Promise<SandboxState> {
    const events = await this.store.readStream(sandboxStream(sandboxId));
    return fold(sandboxDecider, events as unknown as SandboxEvent[]);
  }

  /** The file API's lookup: a live sandbox (else its refusal) and the host path of its workspace. */
  async loadLiveWithWorkspace(sandboxId: string): Promise<{ live: Extract<SandboxState, { status: 'created' }>; workspacePath: string }> {
    const [state, row] = await Promise.all([this.load(sandboxId), this.repo.findSandbox(sandboxId)]);
    const live = assertLive(state, sandboxId);
    if (!row) throw new SandboxRequestError('SANDBOX_NOT_FOUND', `sandbox ${sandboxId} has no workspace here`);
    return { live, workspacePath: row.workspacePath };
  }

  /**
   * Load → decide → append with the version read, plus the read-model writes, in one transaction;
   * retried on a concurrent append to the same stream. Refusals (SandboxRequestError) pass through.
   */
  async record(sandboxId: string, command: SandboxCommand, options: RecordOptions): Promise<{ events: SandboxEvent[]; state: SandboxState }> {
    const streamId = sandboxStream(sandboxId);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.transaction(async (tx) => {
          const history = await this.store.readStream(streamId, {}, tx);
          const state = fold(sandboxDecider, history as unknown as SandboxEvent[]);
          const events = sandboxDecider.decide(command, state);
          if (events.length) await this.store.append(streamId, events, { expectedVersion: history.length, metadata: options.metadata }, tx);
          const next = events.reduce(sandboxDecider.evolve, state);
          await options.alsoInTx?.(tx, events, next);
          return { events, state: next };
        });
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= 10) throw err;
      }
    }
  }

  // ------------------------------------------------------------ workspaces

  teamWorkspacePath(simulationId: string, teamId: string): string {
    return path.join(this.config.SANDBOX_WORKSPACE_ROOT, simulationId, teamId);
  }

  /** The team's folder, a git repository owned by the sandbox user; made on first use. */
  async ensureTeamWorkspace(simulationId: string, teamId: string): Promise<string> {
    const dir = this.teamWorkspacePath(simulationId, teamId);
    return this.workspaceMutex.run(`${simulationId}/${teamId}`, async () => {
      await fs.mkdir(this.config.SANDBOX_WORKSPACE_ROOT, { recursive: true, mode: 0o711 });
      await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o711 });
      await fs.mkdir(dir, { recursive: true, mode: 0o755 });
      const hasGit = await fs.lstat(path.join(dir, '.git')).then(() => true, () => false);
      if (!hasGit) {
        await run('git', ['init', '-q', dir], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir }, timeout: 10_000 });
        if (process.getuid?.() === 0) await chownTree(dir, SANDBOX_UID);
        else await fs.chmod(dir, 0o777);
      }
      return dir;
    });
  }

  /**
   * A throwaway copy of the team's folder under <root>/.scratch (so that a release or the reaper
   * deletes it with the container, like a scratch workspace), made while no scan or file write of
   * the team's workspace runs here. A missing team folder gives an empty copy (the team's is not
   * made for it). Idempotent: the copy is made under a temporary name and renamed when complete, so
   * a re-run after a crash takes the copy already made (the container it may have made mounts that
   * one) and deletes a partial one.
   */
  async copyTeamWorkspace(simulationId: string, teamId: string, sandboxId: string): Promise<string> {
    const source = this.teamWorkspacePath(simulationId, teamId);
    const scratch = path.join(this.config.SANDBOX_WORKSPACE_ROOT, '.scratch');
    // '~' is in no sandbox id, so no other sandbox's folder (fresh ones are <sandboxId>-<8 hex>) has these names.
    const dir = path.join(scratch, `${sandboxId}~copy`);
    await fs.mkdir(scratch, { recursive: true, mode: 0o711 });
    if (await fs.stat(dir).then(() => true, () => false)) return dir;
    for (const name of await fs.readdir(scratch)) {
      if (name.startsWith(`${sandboxId}~copy~`)) await fs.rm(path.join(scratch, name), { recursive: true, force: true });
    }
    const part = `${dir}~${randomUUID().slice(0, 8)}`;
    await this.withWorkspace(`${simulationId}/${teamId}`, async () => {
      const exists = await fs.stat(source).then((s) => s.isDirectory(), () => false);
      if (!exists) return fs.mkdir(part, { mode: 0o755 });
      await run('cp', ['-a', '--reflink=auto', '--', source, part], { timeout: 10 * 60_000 }).catch(async (err: Error & { stderr?: string }) => {
        // A command running in the team's sandbox may delete a file while it is copied: cp goes on and fails at the end.
        if (!(await fs.stat(part).then(() => true, () => false))) throw err;
        this.logger.warn('workspace copied with errors (files changing meanwhile)', { sandboxId, error: String(err.stderr ?? err.message).slice(0, 500) });
      });
    });
    if (process.getuid?.() === 0) await fs.lchown(part, SANDBOX_UID, SANDBOX_UID); // cp -a kept the files' owner (uid 1000)
    else await run('chmod', ['-R', 'a+rwX', '--', part], { timeout: 10 * 60_000 }); // non-root: uid 1000 must still write here
    await fs.rename(part, dir);
    return dir;
  }

  /** Runs fn as the only creation of this sandbox in this process. */
  withSandbox<T>(sandboxId: string, fn: () => Promise<T>): Promise<T> {
    return this.workspaceMutex.run(`sandbox:${sandboxId}`, fn);
  }

  /** Runs fn with the workspace to itself (in this process): file writes and post-command scans never interleave. */
  withWorkspace<T>(workspaceId: string, fn: () => Promise<T>): Promise<T> {
    return this.workspaceMutex.run(workspaceId, fn);
  }

  /**
   * What changed in the workspace since its last recorded manifest, with the new contents put in
   * the blob table (the hash is of the bytes stored). Call inside withWorkspace.
   */
  async workspaceChanges(workspaceId: string, workspacePath: string): Promise<Array<FileChange & { size?: number }>> {
    // A copy is thrown away with its sandbox and belongs to no history of code: nothing to record
    // (its first scan would otherwise record every copied file as new).
    if (isWorkspaceCopy(workspaceId)) return [];
    const exists = await fs.stat(workspacePath).then(() => true, () => false);
    if (!exists) return [];
    // The folder and the last recorded manifest at once (independent: files vs Postgres).
    const [scanned, previous] = await Promise.all([this.scanner.scan(workspacePath), this.repo.manifest(workspaceId)]);
    const current = new Map([...scanned].map(([p, f]) => [p, f.hash]));
    const changes: Array<FileChange & { size?: number }> = [];
    for (const change of diffManifest(previous, current)) {
      if (change.hash === null) {
        changes.push(change);
        continue;
      }
      const size = scanned.get(change.path)!.size;
      if (size > 64 * 1024 * 1024) {
        changes.push({ ...change, size }); // too large for the blob table: the hash marks the change only
        continue;
      }
      const bytes = await readScannedFile(workspacePath, change.path);
      if (bytes === null) {
        if (previous.has(change.path)) changes.push({ path: change.path, hash: null });
        continue;
      }
      const hash = sha256Hex(bytes);
      if (previous.get(change.path) === hash) continue;
      await this.store.putBlob(bytes);
      changes.push({ path: change.path, hash, size: bytes.length });
    }
    return changes;
  }
}

/** The workspace id of a sandbox on a copy of a team's workspace. */
export const workspaceCopyId = (sandboxId: string) => `copy/${sandboxId}`;
export const isWorkspaceCopy = (workspaceId: string) => workspaceId.startsWith('copy/');

async function chownTree(dir: string, uid: number): Promise<void> {
  await fs.lchown(dir, uid, uid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, uid);
    else await fs.lchown(p, uid, uid);
  }
}
