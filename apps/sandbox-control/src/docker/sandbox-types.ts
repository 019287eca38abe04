/** Resource limits of one sandbox container. */
export interface SandboxLimits {
  /** Memory limit; swap is set equal, i.e. no swap. */
  memoryBytes: number;
  /** CPU quota in units of 1e-9 CPUs (1e9 = one CPU). */
  nanoCpus: number;
  /** Maximum number of processes/threads in the container (fork bombs stop here). */
  pidsLimit: number;
  /** Size of the /tmp tmpfs (the only writable place besides /workspace and $HOME). */
  tmpfsBytes: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 512 * 1024 * 1024,
  nanoCpus: 1_000_000_000,
  pidsLimit: 256,
  tmpfsBytes: 64 * 1024 * 1024,
});

/**
 * Where /workspace comes from.
 * - bind:   an existing host directory, mounted read-write (the team's workspace).
 * - volume: a named Docker volume (for remote engines, where host paths mean nothing here).
 * - fresh:  an empty directory the engine provides under its workspaceRoot; this is
 *           the only kind a warm-pool container can serve (see warm-pool.ts).
 */
export type WorkspaceSpec =
  | { type: 'bind'; hostPath: string }
  | { type: 'volume'; name: string }
  | { type: 'fresh' };

export interface SandboxSpec {
  /** Caller's id for the sandbox; becomes the container name suffix. [a-zA-Z0-9][a-zA-Z0-9_.-]* */
  sandboxId: string;
  simulationId: string;
  image: string;
  workspace: WorkspaceSpec;
  limits?: Partial<SandboxLimits>;
  /** OCI runtime, e.g. "runsc" for gVisor; engine default when absent. */
  runtime?: string;
  /** Environment for every command in the sandbox (KEY=VALUE entries via the record). */
  env?: Record<string, string>;
  /** A host folder mounted read-only at /run/swe-sim (an agent program's endpoint). */
  endpointHostPath?: string;
  /** Extra labels (keys must not start with "swe-sim."). */
  labels?: Record<string, string>;
  /**
   * Return as soon as the container is created and let its start go on (`handle.started`):
   * commands (exec), halts and removals of the sandbox wait for it. Default false (started on return).
   */
  startInBackground?: boolean;
}

/** What createSandbox returns; enough to find the sandbox again. */
export interface SandboxHandle {
  sandboxId: string;
  simulationId: string;
  containerId: string;
  containerName: string;
  image: string;
  /** Host directory mounted at /workspace (bind and fresh workspaces). */
  workspaceHostPath?: string;
  /** True when the container came from a warm pool (its labels name the pool, not the simulation). */
  fromPool: boolean;
  createdAt: Date;
  /**
   * Resolves once the container runs (at once unless `startInBackground`); rejects with a
   * SandboxError when the start failed, after the container (and a fresh workspace) was removed.
   */
  started: Promise<void>;
}

export interface ExecOptions {
  /** Wall-clock limit; the command is killed (with its process group) after it. Default 30 s. */
  timeoutMs?: number;
  /** Bytes kept per stream (stdout, stderr); the rest is discarded. Default 1 MiB. */
  maxOutputBytes?: number;
  env?: Record<string, string>;
  /** Working directory inside the container; default /workspace. */
  workdir?: string;
  /** Cancels the command from outside (the docker call is aborted and the command killed). */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit code; null when it could not be known (the call was aborted before docker said). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when either stream produced more than maxOutputBytes. */
  truncated: boolean;
  stdoutBytes: number;
  stderrBytes: number;
  durationMs: number;
  /** The wall-clock limit was reached and the command was killed. */
  timedOut: boolean;
  /** Killed by the kernel OOM killer (exit 137 plus an OOM signal from docker/cgroup). */
  oomKilled: boolean;
  /** The container hit its pids limit during the command (fork bomb or too many threads). */
  pidsLimitHit: boolean;
  /** The caller's signal aborted the command. */
  aborted: boolean;
}

/** A managed container as listed from the engine (docker labels), for reapers and views. */
export interface ManagedContainer {
  containerId: string;
  name: string;
  image: string;
  /** Docker state: created, running, exited, dead, ... */
  state: string;
  labels: Record<string, string>;
  owner?: string;
  simulationId?: string;
  sandboxId?: string;
  pool?: string;
  createdAt: Date;
}

export interface ManagedFilter {
  simulationId?: string;
  sandboxId?: string;
  owner?: string;
  pool?: string;
  /** Extra exact label matches. */
  labels?: Record<string, string>;
}
