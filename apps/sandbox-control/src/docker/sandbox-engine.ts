import Docker from 'dockerode';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { CappedCollector } from './capped-collector';
import { CgroupCounters, CGROUP_COUNTERS_SCRIPT, parseCgroupCounters } from './cgroup-counters';
import { DockerStreamDemuxer } from './docker-stream-demuxer';
import { ExitTrailer } from './exit-trailer';
import { envList, hardenedContainerOptions, SANDBOX_UID, SANDBOX_USER, WorkspaceMount, WORKSPACE_MOUNT_POINT } from './hardened-container-options';
import { HostCgroups } from './host-cgroups';
import { ContainerEventStream } from './container-event-stream';
import { ContainerEnd, ContainerExitWatcher } from './container-exit-watcher';
import { OomEventWatcher } from './oom-event-watcher';
import { dockerStatusCode, SandboxError, SandboxGoneError } from './sandbox-errors';
import {
  assertNoReservedLabels,
  isValidSandboxId,
  labelFilters,
  POOL_NAME_PREFIX,
  SandboxLabel,
  sandboxContainerName,
  SANDBOX_NAME_PREFIX,
} from './sandbox-labels';
import {
  DEFAULT_LIMITS,
  ExecOptions,
  ExecResult,
  ManagedContainer,
  ManagedFilter,
  SandboxHandle,
  SandboxLimits,
  SandboxSpec,
} from './sandbox-types';
import { Semaphore } from './semaphore';
import { withEngineDeadline } from './engine-deadline';

const DEFAULT_ENGINE_DEADLINE_MS = 60_000;
import { killGroupArgv, SandboxCommand, timeoutWrappedArgv, TIMEOUT_EXIT_CODES } from './timeout-command';
import { PooledContainer, WarmPool, warmPoolKey, WarmPoolOptions } from './warm-pool';
import { assertSafeWorkspaceHostPath } from './workspace-host-path';

export interface SandboxEngineOptions {
  /** Engine id written in the owner label; a reaper removes containers of dead owners. */
  instanceId: string;
  /** Docker client; default `new Docker()` (honours DOCKER_HOST). */
  docker?: Docker;
  /** Where fresh workspaces are made; default $TMPDIR/swe-sim-workspaces. */
  workspaceRoot?: string;
  /** If set, bind workspaces must lie under one of these directories. */
  allowedWorkspaceRoots?: string[];
  /** Concurrent container creates+starts; the engine has timed out at ~16. Default 8. */
  maxConcurrentCreates?: number;
  /** How long a container create or start may take before it is abandoned as an engine error (default 60 s). */
  engineDeadlineMs?: number;
  defaultLimits?: Partial<SandboxLimits>;
  defaultRuntime?: string;
  /** How long to wait for a trailing `oom` event after an exit 137. Default 300 ms. */
  oomEventGraceMs?: number;
}

export interface DestroyOptions {
  /** Also delete a fresh workspace directory this engine made. Default false. */
  removeWorkspace?: boolean;
}

interface SandboxRecord {
  handle: SandboxHandle;
  /** Spec env, applied on every exec (pooled containers cannot get it at create). */
  env: Record<string, string>;
  /** Last cgroup counters seen, the baseline for "did this command hit a limit". */
  counters: CgroupCounters | undefined;
  /** The engine made the workspace directory (fresh / pool). */
  ownsWorkspace: boolean;
  /** The container's start (see SandboxSpec.startInBackground): what touches the container waits for it. */
  started: Promise<void>;
  /** Commands (with their helper execs) running in it now. */
  execsInFlight: number;
  /** haltSandbox was called: no command starts here any more. */
  halting: boolean;
  /** Aborted once the sandbox is halted or destroyed by this engine: the commands in flight end (SANDBOX_GONE, halted). */
  cutOff: AbortController;
}

const RUNNING: Promise<void> = Promise.resolve();
/** Tasks of a sandbox container where nothing of its commands is left: the init and its `sleep infinity`. */
const IDLE_TASKS = 2;

const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** Extra time (beyond timeout's own kill-after) before the engine gives up on a stream. */
const BACKSTOP_SLACK_MS = 3_000;
const AUX_EXEC_TIMEOUT_MS = 5_000;

/**
 * Docker sandboxes for untrusted code, over dockerode. No NestJS here: the service
 * wraps it. One engine per process; containers are found again by name/labels, so
 * any instance can exec in or destroy a sandbox another instance created.
 */
export class SandboxEngine {
  readonly docker: Docker;
  readonly instanceId: string;
  private readonly workspaceRoot: string;
  private readonly createSlots: Semaphore;
  /** One subscription to the engine's events (oom, die, destroy of our containers), shared by the two watchers. */
  private readonly events: ContainerEventStream;
  private readonly oom: OomEventWatcher;
  private readonly exits: ContainerExitWatcher;
  private readonly records = new Map<string, SandboxRecord>();
  private readonly pools: WarmPool[] = [];
  private readonly hostCgroups = new HostCgroups();

  constructor(private readonly options: SandboxEngineOptions) {
    if (!options.instanceId || !isValidSandboxId(options.instanceId)) {
      throw new SandboxError('SANDBOX_INVALID_SPEC', `bad instanceId ${JSON.stringify(options.instanceId)}`);
    }
    this.instanceId = options.instanceId;
    this.docker = options.docker ?? new Docker();
    this.workspaceRoot = options.workspaceRoot ?? path.join(os.tmpdir(), 'swe-sim-workspaces');
    this.createSlots = new Semaphore(options.maxConcurrentCreates ?? 8);
    this.events = new ContainerEventStream(this.docker, ['oom', 'die', 'destroy'], [`${SandboxLabel.managed}=true`]);
    this.oom = new OomEventWatcher(this.events);
    this.exits = new ContainerExitWatcher(this.events, this.docker);
  }

  /** Sandboxes this engine holds now (created or adopted, not yet removed). */
  sandboxCount(): number {
    return this.records.size;
  }

  // ---------------------------------------------------------------- create

  async createSandbox(spec: SandboxSpec): Promise<SandboxHandle> {
    this.validateSpec(spec);
    void this.events.start();
    const limits = this.limitsFor(spec.limits);
    const runtime = spec.runtime ?? this.options.defaultRuntime;

    if (spec.workspace.type === 'fresh' && !spec.endpointHostPath) {
      const key = warmPoolKey(spec.image, limits, runtime);
      const pool = this.pools.find((p) => p.matches(key));
      const pooled = pool?.take();
      if (pooled) return this.claimPooled(spec, pooled);
    }

    let mount: WorkspaceMount;
    let workspaceHostPath: string | undefined;
    let ownsWorkspace = false;
    switch (spec.workspace.type) {
      case 'bind':
        workspaceHostPath = await assertSafeWorkspaceHostPath(spec.workspace.hostPath, this.options.allowedWorkspaceRoots);
        mount = { type: 'bind', hostPath: workspaceHostPath };
        break;
      case 'volume':
        if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(spec.workspace.name)) {
          throw new SandboxError('SANDBOX_INVALID_SPEC', `bad volume name ${JSON.stringify(spec.workspace.name)}`);
        }
        mount = { type: 'volume', name: spec.workspace.name };
        break;
      case 'fresh':
        workspaceHostPath = await this.makeFreshWorkspace(`${spec.sandboxId}-${randomUUID().slice(0, 8)}`);
        mount = { type: 'bind', hostPath: workspaceHostPath };
        ownsWorkspace = true;
        break;
    }

    const createdAt = new Date();
    const name = sandboxContainerName(spec.sandboxId);
    const labels: Record<string, string> = {
      ...(spec.labels ?? {}),
      [SandboxLabel.managed]: 'true',
      [SandboxLabel.simulationId]: spec.simulationId,
      [SandboxLabel.sandboxId]: spec.sandboxId,
      [SandboxLabel.owner]: this.instanceId,
      [SandboxLabel.image]: spec.image,
      [SandboxLabel.createdAt]: createdAt.toISOString(),
    };
    let containerId: string;
    let starting: Promise<void>;
    try {
      ({ containerId, started: starting } = await this.createAndStart(
        hardenedContainerOptions({ name, image: spec.image, labels, limits, workspace: mount, env: spec.env, runtime, endpointHostPath: spec.endpointHostPath }),
        { background: spec.startInBackground === true },
      ));
    } catch (err) {
      if (ownsWorkspace && workspaceHostPath) await fs.rm(workspaceHostPath, { recursive: true, force: true });
      if (dockerStatusCode(err) === 409) {
        throw new SandboxError('SANDBOX_ALREADY_EXISTS', `sandbox ${spec.sandboxId} already exists`, { cause: err });
      }
      throw new SandboxError('SANDBOX_ENGINE_ERROR', `creating sandbox ${spec.sandboxId}: ${String(err)}`, { cause: err });
    }
    // Only a background start can still fail here (the container is removed by then). The record
    // stays until destroySandbox, so that a command gets the start's error rather than "not found".
    const started = starting.catch(async (err: unknown) => {
      if (ownsWorkspace && workspaceHostPath) await fs.rm(workspaceHostPath, { recursive: true, force: true });
      throw new SandboxError('SANDBOX_ENGINE_ERROR', `starting sandbox ${spec.sandboxId}: ${String(err)}`, { cause: err });
    });
    started.catch(() => undefined); // handled by whoever awaits it (exec, the caller); never unhandled
    const handle: SandboxHandle = {
      sandboxId: spec.sandboxId,
      simulationId: spec.simulationId,
      containerId,
      containerName: name,
      image: spec.image,
      workspaceHostPath,
      fromPool: false,
      createdAt,
      started,
    };
    // env was given to docker at create; nothing to re-apply per exec.
    this.records.set(spec.sandboxId, { handle, env: {}, counters: { pidsMax: 0, oomKill: 0 }, ownsWorkspace, started, execsInFlight: 0, halting: false, cutOff: new AbortController() });
    return handle;
  }

  private async claimPooled(spec: SandboxSpec, pooled: PooledContainer): Promise<SandboxHandle> {
    const name = sandboxContainerName(spec.sandboxId);
    try {
      await this.docker.getContainer(pooled.containerId).rename({ name });
    } catch (err) {
      await this.removeContainer(pooled.containerId);
      await fs.rm(pooled.workspaceHostPath, { recursive: true, force: true });
      if (dockerStatusCode(err) === 409) {
        throw new SandboxError('SANDBOX_ALREADY_EXISTS', `sandbox ${spec.sandboxId} already exists`, { cause: err });
      }
      throw new SandboxError('SANDBOX_ENGINE_ERROR', `claiming pooled container: ${String(err)}`, { cause: err });
    }
    const handle: SandboxHandle = {
      sandboxId: spec.sandboxId,
      simulationId: spec.simulationId,
      containerId: pooled.containerId,
      containerName: name,
      image: spec.image,
      workspaceHostPath: pooled.workspaceHostPath,
      fromPool: true,
      createdAt: new Date(),
      started: RUNNING,
    };
    this.records.set(spec.sandboxId, {
      handle,
      env: { ...(spec.env ?? {}) },
      counters: { pidsMax: 0, oomKill: 0 },
      ownsWorkspace: true,
      started: RUNNING,
      execsInFlight: 0,
      halting: false,
      cutOff: new AbortController(),
    });
    return handle;
  }

  /**
   * Creates the container, then starts it: returns after the start, or with `background` as soon as
   * the container exists (`started` settles later). A failed start removes the container. The
   * create slot is held until the start has settled either way.
   */
  private async createAndStart(
    opts: Docker.ContainerCreateOptions,
    { background = false } = {},
  ): Promise<{ containerId: string; started: Promise<void> }> {
    await this.createSlots.acquire();
    const deadlineMs = this.options.engineDeadlineMs ?? DEFAULT_ENGINE_DEADLINE_MS;
    let container: Docker.Container;
    try {
      container = await withEngineDeadline(`creating ${opts.name}`, deadlineMs, (abortSignal) => this.docker.createContainer({ ...opts, abortSignal } as Docker.ContainerCreateOptions));
    } catch (err) {
      this.createSlots.release();
      throw err;
    }
    // The slot is given back once the start has settled or passed its deadline, and a container whose
    // start failed has been removed (within a deadline too: the removal may hang like the start).
    const started = withEngineDeadline(`starting ${opts.name}`, deadlineMs, (abortSignal) => container.start({ abortSignal }))
      .then(
        () => undefined,
        async (err: unknown) => {
          await withEngineDeadline(`removing ${opts.name}`, deadlineMs, (abortSignal) => container.remove({ force: true, abortSignal })).catch(() => undefined);
          throw err;
        },
      )
      .finally(() => this.createSlots.release());
    if (!background) await started;
    return { containerId: container.id, started };
  }

  private async makeFreshWorkspace(dirName: string): Promise<string> {
    await fs.mkdir(this.workspaceRoot, { recursive: true, mode: 0o711 });
    const dir = path.join(this.workspaceRoot, dirName);
    await fs.mkdir(dir, { mode: 0o755 });
    if (process.getuid?.() === 0) await fs.chown(dir, SANDBOX_UID, SANDBOX_UID);
    else await fs.chmod(dir, 0o777); // non-root engine: uid 1000 must still write here
    return dir;
  }

  private validateSpec(spec: SandboxSpec): void {
    if (!isValidSandboxId(spec.sandboxId)) {
      throw new SandboxError('SANDBOX_INVALID_SPEC', `bad sandboxId ${JSON.stringify(spec.sandboxId)}`);
    }
    if (!spec.simulationId) throw new SandboxError('SANDBOX_INVALID_SPEC', 'simulationId is required');
    if (!spec.image) throw new SandboxError('SANDBOX_INVALID_SPEC', 'image is required');
    try {
      assertNoReservedLabels(spec.labels);
      envList(spec.env);
    } catch (err) {
      throw new SandboxError('SANDBOX_INVALID_SPEC', (err as Error).message);
    }
  }

  private limitsFor(partial: Partial<SandboxLimits> | undefined): SandboxLimits {
    const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...this.options.defaultLimits, ...partial };
    for (const [k, v] of Object.entries(limits)) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new SandboxError('SANDBOX_INVALID_SPEC', `limit ${k} must be a positive integer`);
    }
    if (limits.memoryBytes < 6 * 1024 * 1024) throw new SandboxError('SANDBOX_INVALID_SPEC', 'memoryBytes below docker minimum (6 MiB)');
    return limits;
  }

  // ---------------------------------------------------------------- warm pools

  /** Starts keeping `size` idle containers of this image/limits/runtime (see warm-pool.ts). */
  enableWarmPool(opts: WarmPoolOptions): WarmPool {
    const limits = this.limitsFor(opts.limits);
    const runtime = opts.runtime ?? this.options.defaultRuntime;
    const key = warmPoolKey(opts.image, limits, runtime);
    const existing = this.pools.find((p) => p.matches(key));
    if (existing) return existing;
    void this.events.start();
    const pool = new WarmPool(
      key,
      opts.image,
      limits,
      runtime,
      opts.size,
      async () => {
        const suffix = `${key}-${randomUUID().slice(0, 12)}`;
        const name = `${POOL_NAME_PREFIX}${suffix}`;
        const workspaceHostPath = await this.makeFreshWorkspace(`pool-${suffix}`);
        const createdAt = new Date();
        const labels = {
          [SandboxLabel.managed]: 'true',
          [SandboxLabel.owner]: this.instanceId,
          [SandboxLabel.pool]: key,
          [SandboxLabel.image]: opts.image,
          [SandboxLabel.createdAt]: createdAt.toISOString(),
        };
        try {
          const { containerId } = await this.createAndStart(
            hardenedContainerOptions({ name, image: opts.image, labels, limits, runtime, workspace: { type: 'bind', hostPath: workspaceHostPath } }),
          );
          return { containerId, containerName: name, workspaceHostPath, createdAt };
        } catch (err) {
          await fs.rm(workspaceHostPath, { recursive: true, force: true });
          throw err;
        }
      },
      async (c) => {
        await this.removeContainer(c.containerId);
        await fs.rm(c.workspaceHostPath, { recursive: true, force: true });
      },
    );
    this.pools.push(pool);
    pool.refill();
    return pool;
  }

  // ---------------------------------------------------------------- exec

  /**
   * Runs a command (argv, or a string for /bin/sh -c) as uid 1000 in /workspace.
   * Never throws for what the command does (non-zero exit, time-out, OOM, huge
   * output); throws SandboxError when the sandbox is gone or the engine fails. A command
   * whose container dies or is removed while it runs, or whose sandbox this engine halts or
   * destroys meanwhile, ends at once with SandboxGoneError (its exit status, if any, is not
   * the command's own); so does one started in a sandbox being halted.
   */
  async exec(sandboxId: string, cmd: SandboxCommand, opts: ExecOptions = {}): Promise<ExecResult> {
    const record = await this.resolve(sandboxId);
    await record.started; // a start still going on (startInBackground); its failure is this call's error
    // Checked and counted at once (no await between): haltSandbox relies on it.
    if (record.halting) throw goneError(sandboxId, 'halted');
    record.execsInFlight++;
    try {
      return await this.execIn(record, cmd, opts);
    } finally {
      record.execsInFlight--;
    }
  }

  private async execIn(record: SandboxRecord, cmd: SandboxCommand, opts: ExecOptions): Promise<ExecResult> {
    const { sandboxId } = record.handle;
    const containerId = record.handle.containerId;
    const container = this.docker.getContainer(containerId);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const maxOutputBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const execId = randomUUID();
    const pidFile = `/tmp/.swe-sim-exec-${execId}.pid`;
    const exitMarker = `swe-sim-exit:${execId}`;
    const argv = timeoutWrappedArgv(cmd, timeoutMs, pidFile, exitMarker);
    const env = { ...record.env, ...(opts.env ?? {}) };
    void this.events.start();

    const startedAt = Date.now();
    const t0 = performance.now();
    const stdout = new CappedCollector(maxOutputBytes);
    const stderr = new CappedCollector(maxOutputBytes);
    const stderrTrailer = new ExitTrailer(stderr, exitMarker);
    let reportedExit: number | null = null;
    const abort = new AbortController();
    let backstopFired = false;
    let callerAborted = false;
    // The sandbox went (its container died or was removed; this engine halted it): stop waiting at once.
    let goneHow: 'halted' | ContainerEnd | undefined;
    const gone = new AbortController();
    const cutOff = (how: 'halted' | ContainerEnd) => {
      if (goneHow) return;
      goneHow = how;
      gone.abort();
      abort.abort(new Error(`sandbox ${how}`));
    };
    const onHalt = () => cutOff('halted');
    record.cutOff.signal.addEventListener('abort', onHalt, { once: true });
    const unwatch = this.exits.watch(containerId, cutOff);
    // timeout(1) kills at timeoutMs (+1 s kill-after at worst); if the stream is still
    // open well after that, stop waiting (the dockerode call is aborted too).
    const backstop = setTimeout(() => {
      backstopFired = true;
      abort.abort(new Error('exec backstop'));
    }, timeoutMs + 1000 + BACKSTOP_SLACK_MS);
    const onCallerAbort = () => {
      callerAborted = true;
      abort.abort(opts.signal?.reason ?? new Error('aborted'));
    };
    if (opts.signal?.aborted) onCallerAbort();
    else opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

    let exec: Docker.Exec | undefined;
    let exitCode: number | null = null;
    let pidsLimitHit = false;
    let cgroupOom = false;
    let oomFlag = false;
    let durationMs = 0;
    try {
      try {
        exec = await container.exec({
          Cmd: argv,
          AttachStdin: false,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
          User: SANDBOX_USER,
          WorkingDir: opts.workdir ?? WORKSPACE_MOUNT_POINT,
          Env: envList(env),
          abortSignal: abort.signal,
        } as Docker.ExecCreateOptions);
      } catch (err) {
        // Aborted by the caller before anything ran: reported as aborted, not as a failure.
        if (!callerAborted) throw await this.execFailed(sandboxId, container, 'exec create', err, () => goneHow);
      }
      let stream: (NodeJS.ReadableStream & { destroy?: (e?: Error) => void }) | undefined;
      try {
        if (exec) stream = (await exec.start({ hijack: true, stdin: false, abortSignal: abort.signal })) as typeof stream;
      } catch (err) {
        if (!abort.signal.aborted || goneHow) throw await this.execFailed(sandboxId, container, 'exec start', err, () => goneHow);
      }
      if (stream) {
        // After the upgrade the socket is ours: aborting the request alone would not close it.
        const s = stream;
        const destroy = () => s.destroy?.();
        abort.signal.addEventListener('abort', destroy, { once: true });
        try {
          await pipeline(stream, new DockerStreamDemuxer(stdout, stderrTrailer));
        } catch {
          // Aborted (backstop / caller / sandbox gone) or the connection dropped: judged below.
        } finally {
          abort.signal.removeEventListener('abort', destroy);
        }
      }
      if (goneHow) throw goneError(sandboxId, goneHow); // nothing more to ask a container that went
      reportedExit = stderrTrailer.finish();
      if (exec) {
        if (abort.signal.aborted) await this.killGroup(container, pidFile);
        // The wrapper's own report when the stream ended normally; else (cut off, a leftover wrote after it) Docker's.
        exitCode = !abort.signal.aborted && reportedExit !== null ? reportedExit : await this.execExitCode(exec);
      }
      durationMs = Math.round(performance.now() - t0);

      // After a failure: did a limit hit (the container's cgroup counters), and is the container
      // still there? A container killed or removed under the command ends it with 137 (or no
      // status): that is the sandbox going, not the command's result.
      if (exitCode !== 0) {
        // Only a kill ends a command with 137 or no status: an ordinary failure (a failing test, a
        // grep that found nothing) needs no inspect of the container.
        const killed = exitCode === 137 || exitCode === null;
        const [counters, state] = await Promise.all([this.readCgroupCounters(container), killed ? this.containerState(container) : null]);
        if (state && state !== 'removed' && !state.running) cutOff('died');
        if (state === 'removed') cutOff('removed');
        if (goneHow) throw goneError(sandboxId, goneHow);
        oomFlag = !!state && state !== 'removed' && state.oomKilled;
        if (counters) {
          const before = record.counters;
          if (before) {
            pidsLimitHit = counters.pidsMax > before.pidsMax;
            cgroupOom = counters.oomKill > before.oomKill;
          }
          record.counters = counters;
        }
      }
    } finally {
      clearTimeout(backstop);
      opts.signal?.removeEventListener('abort', onCallerAbort);
      record.cutOff.signal.removeEventListener('abort', onHalt);
      if (goneHow) unwatch(); // else still watched while the OOM grace below waits
    }

    // Timed out: timeout(1)'s exit status once the wall-clock limit has passed, or the
    // engine's own backstop had to cut the stream.
    const timedOut =
      backstopFired || (exitCode !== null && TIMEOUT_EXIT_CODES.has(exitCode) && durationMs >= timeoutMs);

    // OOM: exit 137 (before the time limit) and at least one OOM signal: the cgroup's
    // oom_kill counter, the engine's `oom` event for this container (it may trail the
    // exit slightly), or State.OOMKilled (set only when the main process was the victim).
    // A `die` of the container meanwhile means it was killed under the command, not OOM.
    let oomKilled = false;
    try {
      if (exitCode === 137 && !timedOut) {
        oomKilled = cgroupOom || oomFlag || this.oom.seenSince(containerId, startedAt);
        if (!oomKilled && this.oom.connected) {
          oomKilled = await this.oom.waitFor(containerId, startedAt, this.options.oomEventGraceMs ?? 300, gone.signal);
        }
        if (goneHow && !oomKilled) throw goneError(sandboxId, goneHow);
      }
    } finally {
      unwatch();
    }

    return {
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      truncated: stdout.truncated || stderr.truncated,
      stdoutBytes: stdout.totalBytes,
      stderrBytes: stderr.totalBytes,
      durationMs,
      timedOut,
      oomKilled,
      pidsLimitHit,
      aborted: callerAborted,
    };
  }

  private async execExitCode(exec: Docker.Exec): Promise<number | null> {
    // The stream can close a moment before docker records the exit: look again soon, then less often (≈ 1 s in all).
    for (let i = 0; i < 55; i++) {
      try {
        const info = await exec.inspect();
        if (!info.Running) return info.ExitCode ?? null;
      } catch {
        return null;
      }
      await new Promise((r) => setTimeout(r, i < 5 ? 2 : 20));
    }
    return null;
  }

  /** Runs a short helper command directly (no wrapper), output capped small. */
  private async auxExec(container: Docker.Container, argv: string[]): Promise<string | undefined> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), AUX_EXEC_TIMEOUT_MS);
    try {
      const exec = await container.exec({
        Cmd: ['timeout', '-s', 'KILL', String(AUX_EXEC_TIMEOUT_MS / 1000), ...argv],
        AttachStdout: true,
        AttachStderr: true,
        User: SANDBOX_USER,
        abortSignal: abort.signal,
      } as Docker.ExecCreateOptions);
      const stream = (await exec.start({ hijack: true, stdin: false, abortSignal: abort.signal })) as NodeJS.ReadableStream & {
        destroy?: () => void;
      };
      abort.signal.addEventListener('abort', () => stream.destroy?.(), { once: true });
      const out = new CappedCollector(64 * 1024);
      await pipeline(stream, new DockerStreamDemuxer(out, new CappedCollector(0)));
      return out.text();
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** From the host's cgroup files where they can be seen (a file read), else from inside the container (an exec, ≈ 45 ms). */
  private async readCgroupCounters(container: Docker.Container): Promise<CgroupCounters | undefined> {
    const onHost = await this.hostCgroups.counters(container.id);
    if (onHost) return onHost;
    const text = await this.auxExec(container, ['/bin/sh', '-c', CGROUP_COUNTERS_SCRIPT]);
    return text === undefined ? undefined : parseCgroupCounters(text);
  }

  private async killGroup(container: Docker.Container, pidFile: string): Promise<void> {
    await this.auxExec(container, killGroupArgv(pidFile));
  }

  /** Whether the container still runs (and was OOM-killed); 'removed' when Docker no longer knows it. */
  private async containerState(container: Docker.Container): Promise<{ running: boolean; oomKilled: boolean } | 'removed'> {
    try {
      const { State } = await container.inspect();
      return { running: State.Running === true, oomKilled: State.OOMKilled === true };
    } catch (err) {
      // Another failure (the engine busy): assume it runs, as before this check.
      return dockerStatusCode(err) === 404 ? 'removed' : { running: true, oomKilled: false };
    }
  }

  /** An exec that could not be created or started: the sandbox went (SandboxGoneError), or an engine error. */
  private async execFailed(
    sandboxId: string,
    container: Docker.Container,
    what: string,
    err: unknown,
    goneHow: () => 'halted' | ContainerEnd | undefined,
  ): Promise<SandboxError> {
    const known = goneHow();
    if (known) return goneError(sandboxId, known);
    const state = await this.containerState(container);
    if (state === 'removed') return goneError(sandboxId, 'removed');
    if (!state.running) return goneError(sandboxId, 'died');
    return this.engineError(sandboxId, what, err);
  }

  private engineError(sandboxId: string, what: string, err: unknown): SandboxError {
    const status = dockerStatusCode(err);
    if (status === 404) return new SandboxError('SANDBOX_NOT_FOUND', `sandbox ${sandboxId} not found`, { cause: err });
    return new SandboxError('SANDBOX_ENGINE_ERROR', `${what} in sandbox ${sandboxId}: ${String(err)}`, { cause: err });
  }

  /** The record of a sandbox, from memory or, if another instance made it, from docker. */
  private async resolve(sandboxId: string): Promise<SandboxRecord> {
    const known = this.records.get(sandboxId);
    if (known) return known;
    if (!isValidSandboxId(sandboxId)) throw new SandboxError('SANDBOX_NOT_FOUND', `sandbox ${sandboxId} not found`);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(sandboxContainerName(sandboxId)).inspect();
    } catch (err) {
      throw this.engineError(sandboxId, 'inspect', err);
    }
    const labels = info.Config.Labels ?? {};
    if (labels[SandboxLabel.managed] !== 'true') throw new SandboxError('SANDBOX_NOT_FOUND', `sandbox ${sandboxId} not found`);
    const ws = info.Mounts.find((m) => m.Destination === WORKSPACE_MOUNT_POINT);
    const record: SandboxRecord = {
      handle: {
        sandboxId,
        simulationId: labels[SandboxLabel.simulationId] ?? '',
        containerId: info.Id,
        containerName: info.Name.replace(/^\//, ''),
        image: labels[SandboxLabel.image] ?? info.Config.Image,
        workspaceHostPath: ws?.Type === 'bind' ? ws.Source : undefined,
        fromPool: labels[SandboxLabel.pool] !== undefined,
        createdAt: new Date(info.Created),
        started: RUNNING,
      },
      env: {},
      counters: undefined,
      ownsWorkspace: false,
      started: RUNNING,
      execsInFlight: 0,
      halting: false,
      cutOff: new AbortController(),
    };
    // Baseline for limit detection, so that earlier commands' hits are not reported.
    record.counters = await this.readCgroupCounters(this.docker.getContainer(info.Id));
    this.records.set(sandboxId, record);
    return record;
  }

  // ---------------------------------------------------------------- destroy / list / reap

  /**
   * Makes sure nothing of the sandbox runs or writes again, without waiting for the container's
   * teardown; the container must then be removed (destroySandbox, or the reaper: it is never used
   * again). Commands are refused from here on (in this engine). When no command runs and the
   * container's cgroup holds nothing but its init and idle main process (read on the host: ≈ 0.1
   * ms, no Docker call), nothing is left to stop. Otherwise — a leftover process, a command in
   * flight, a sandbox of another engine instance, cgroups this process cannot see — the cgroup is
   * frozen (docker pause, ≈ 10 ms where a SIGKILL waits ≈ 60 ms for the runtime to reap the
   * container); a runtime without a freezer gets a kill. A container that is not running (or gone)
   * is already halted. Returns true when the container was found. The commands in flight in it (in
   * this engine) then end at once with SandboxGoneError (halted): whoever halts it records its end.
   */
  async haltSandbox(sandboxId: string): Promise<boolean> {
    const record = this.records.get(sandboxId);
    try {
      return await this.halt(sandboxId, record);
    } finally {
      record?.cutOff.abort();
    }
  }

  private async halt(sandboxId: string, record: SandboxRecord | undefined): Promise<boolean> {
    await record?.started.catch(() => undefined); // not while it starts: a start after the halt would undo it
    if (record) {
      record.halting = true; // exec refuses from now on, so an idle container stays idle
      if (record.execsInFlight === 0) {
        const tasks = await this.hostCgroups.taskCount(record.handle.containerId);
        if (tasks !== undefined && tasks <= IDLE_TASKS) return true;
      }
    }
    const ref = record?.handle.containerId ?? (isValidSandboxId(sandboxId) ? sandboxContainerName(sandboxId) : undefined);
    if (!ref) return false;
    const container = this.docker.getContainer(ref);
    try {
      await container.pause();
      return true;
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status === 404) return false;
    }
    try {
      await container.kill();
      return true;
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status === 404) return false;
      if (status === 409) return true; // not running: already halted (or being removed)
      throw new SandboxError('SANDBOX_ENGINE_ERROR', `halting ${ref}: ${String(err)}`, { cause: err });
    }
  }

  /**
   * Removes the sandbox's container (idempotent: an unknown sandbox is not an error). Commands in
   * flight in it end at once with SandboxGoneError (halted), as after haltSandbox.
   */
  async destroySandbox(sandboxId: string, opts: DestroyOptions = {}): Promise<void> {
    const record = this.records.get(sandboxId);
    if (record) {
      record.halting = true;
      record.cutOff.abort();
    }
    await record?.started.catch(() => undefined);
    const ref = record?.handle.containerId ?? (isValidSandboxId(sandboxId) ? sandboxContainerName(sandboxId) : undefined);
    if (ref) await this.removeContainer(ref);
    if (record) {
      this.oom.forget(record.handle.containerId);
      this.exits.forget(record.handle.containerId);
      if (opts.removeWorkspace && record.ownsWorkspace && record.handle.workspaceHostPath) {
        await fs.rm(record.handle.workspaceHostPath, { recursive: true, force: true });
      }
    }
    this.records.delete(sandboxId);
  }

  private async removeContainer(idOrName: string): Promise<void> {
    try {
      await this.docker.getContainer(idOrName).remove({ force: true, v: true });
    } catch (err) {
      const status = dockerStatusCode(err);
      // 404: already gone; 409: removal already in progress.
      if (status !== 404 && status !== 409) throw new SandboxError('SANDBOX_ENGINE_ERROR', `removing ${idOrName}: ${String(err)}`, { cause: err });
    }
  }

  /** Containers managed by swe-sim (any owner, any state) matching the filter. */
  async listManaged(filter: ManagedFilter = {}): Promise<ManagedContainer[]> {
    const base = [
      `${SandboxLabel.managed}=true`,
      ...labelFilters({ [SandboxLabel.simulationId]: filter.simulationId, [SandboxLabel.owner]: filter.owner, [SandboxLabel.pool]: filter.pool }),
      ...labelFilters(filter.labels ?? {}),
    ];
    const queries: Array<Record<string, string[]>> = [];
    if (filter.sandboxId !== undefined) {
      // A pooled sandbox has no sandbox-id label, only its name.
      queries.push({ label: [...base, `${SandboxLabel.sandboxId}=${filter.sandboxId}`] });
      queries.push({ label: base, name: [`^/${sandboxContainerName(filter.sandboxId)}$`] });
    } else {
      queries.push({ label: base });
    }
    const seen = new Map<string, ManagedContainer>();
    for (const filters of queries) {
      for (const c of await this.docker.listContainers({ all: true, filters })) {
        if (!seen.has(c.Id)) seen.set(c.Id, toManaged(c));
      }
    }
    return [...seen.values()];
  }

  /**
   * Removes every managed container (matching `filter`) for which `predicate` says
   * so, e.g. `ownerNotIn(liveInstanceIds)`. Returns what was removed.
   */
  async reap(predicate: (c: ManagedContainer) => boolean, filter: ManagedFilter = {}): Promise<ManagedContainer[]> {
    const doomed = (await this.listManaged(filter)).filter(predicate);
    const gone = new Set(doomed.map((c) => c.containerId));
    const records = [...this.records].filter(([, r]) => gone.has(r.handle.containerId));
    for (const [, r] of records) {
      r.halting = true;
      r.cutOff.abort(); // our removal: its commands in flight end as halted
    }
    await Promise.all(doomed.map((c) => this.removeContainer(c.containerId)));
    for (const id of gone) {
      this.oom.forget(id);
      this.exits.forget(id);
    }
    for (const [sandboxId, r] of records) if (this.records.get(sandboxId) === r) this.records.delete(sandboxId);
    return doomed;
  }

  /** Stops the event subscription and removes idle pool containers. Sandboxes stay. */
  async close(): Promise<void> {
    this.oom.close();
    this.exits.close();
    this.events.close();
    await Promise.all(this.pools.splice(0).map((p) => p.close()));
  }
}

function goneError(sandboxId: string, how: 'halted' | ContainerEnd): SandboxGoneError {
  const what = { halted: 'is being destroyed', died: 'died', removed: 'was removed' }[how];
  return new SandboxGoneError(how, how === 'halted' ? `sandbox ${sandboxId} ${what}` : `the container of sandbox ${sandboxId} ${what} while the command ran`);
}

function toManaged(c: Docker.ContainerInfo): ManagedContainer {
  const labels = c.Labels ?? {};
  const name = (c.Names[0] ?? '').replace(/^\//, '');
  const sandboxId = labels[SandboxLabel.sandboxId] ?? (name.startsWith(SANDBOX_NAME_PREFIX) ? name.slice(SANDBOX_NAME_PREFIX.length) : undefined);
  return {
    containerId: c.Id,
    name,
    image: labels[SandboxLabel.image] ?? c.Image,
    state: c.State,
    labels,
    owner: labels[SandboxLabel.owner],
    simulationId: labels[SandboxLabel.simulationId],
    sandboxId,
    pool: labels[SandboxLabel.pool],
    createdAt: new Date(c.Created * 1000),
  };
}
