import { z } from 'zod';
import { defineEvent } from '../event-definition';

/**
 * Sandboxes (sandbox-control). Two kinds of events:
 *
 * - Requests, sent with `client.send(type, data)`: each opens stream rpc-<requestId> and is
 *   answered by an RpcReplied whose `response` has the matching *Reply schema below (or an error
 *   with one of SANDBOX_ERROR_CODES). The simulation is the request's metadata.simulationId.
 * - Facts, recorded by sandbox-control in stream sandbox-<sandboxId> beside each reply:
 *   SandboxCreated | SandboxFailed, CommandExecuted, FileWritten, WorkspaceChanged, SandboxDestroyed.
 *
 * A team's workspace (simulation + team) outlives its sandboxes. Every change to it is a
 * FileWritten (write through the API) or a WorkspaceChanged (what a command changed), with the
 * contents in the blob table, so the workspace at any point is a fold over those events
 * (apps/sandbox-control rebuildWorkspace).
 */
export const sandboxStream = (sandboxId: string) => `sandbox-${sandboxId}`;

/** Stable error codes of sandbox replies. */
export const SANDBOX_ERROR_CODES = [
  'SANDBOX_NOT_FOUND',
  'SANDBOX_DESTROYED',
  'SANDBOX_ALREADY_EXISTS',
  'SANDBOX_INVALID_SPEC',
  'SANDBOX_LIMITS_EXCEEDED',
  'SANDBOX_SIMULATION_REQUIRED',
  'SANDBOX_PATH_OUTSIDE_WORKSPACE',
  'SANDBOX_PATH_INVALID',
  'SANDBOX_FILE_NOT_FOUND',
  'SANDBOX_FILE_TOO_LARGE',
  'SANDBOX_BLOB_NOT_FOUND',
  'SANDBOX_ENGINE_ERROR',
] as const;
export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');
/** Also a container-name suffix and a directory name: letters, digits, _ . - (not first). */
const idSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'must be 1–64 of [a-zA-Z0-9_.-], starting with a letter or digit');
export const sandboxIdSchema = idSchema;
export const teamIdSchema = idSchema;
export const sandboxImageKindSchema = z.enum(['python', 'node']);
export type SandboxImageKind = z.infer<typeof sandboxImageKindSchema>;
/** A workspace-relative path, as the caller gave it (sandbox-control refuses escapes). */
const workspacePathSchema = z.string().min(1).max(4096);

const MiB = 1024 * 1024;
export const sandboxLimitsSchema = z
  .object({
    memoryBytes: z.number().int().min(16 * MiB).max(64 * 1024 * MiB),
    /** 1e9 = one CPU. */
    nanoCpus: z.number().int().min(10_000_000).max(64_000_000_000),
    pidsLimit: z.number().int().min(8).max(32_768),
    tmpfsBytes: z.number().int().min(MiB).max(8 * 1024 * MiB),
  })
  .strict();
export type SandboxLimitsData = z.infer<typeof sandboxLimitsSchema>;

// ------------------------------------------------------------------ requests

/** What a sandbox is made of (SandboxRequested, SandboxRunRequested). */
const sandboxSpecShape = {
  sandboxId: sandboxIdSchema,
  /** The team whose workspace is mounted at /workspace; none: an empty scratch workspace (may come from the warm pool). */
  teamId: teamIdSchema.optional(),
  image: sandboxImageKindSchema,
  limits: sandboxLimitsSchema.partial().optional(),
  /** Removed by the reaper after this long even if never released. */
  ttlMs: z.number().int().min(1_000).max(7 * 24 * 3_600_000).optional(),
  /**
   * With teamId: `team` (default) mounts the team's workspace itself; `copy` mounts a throwaway copy
   * of it made at creation (workspaceId `copy/<sandboxId>`), deleted with the sandbox. Nothing done
   * in a copy reaches the team's workspace or its recorded history of code.
   */
  workspace: z.enum(['team', 'copy']).optional(),
  /**
   * The agent task the sandbox works for (taskIdOf): the reaper removes it once that task has
   * ended or been suspended, even if it was never released. None: only the simulation's end does.
   */
  ownerTaskId: z.string().min(1).max(200).optional(),
  /**
   * For an agent program's task: a folder of this sandbox's alone is mounted read-only at
   * /run/swe-sim, where agent-execution serves the program's LLM endpoint (llm.sock) and its files.
   */
  llmEndpoint: z.literal(true).optional(),
};

/** A command to run in a sandbox (CommandRequested, SandboxRunRequested). */
const commandShape = {
  /** A string runs under /bin/sh -c; an array is an argv. Runs as uid 1000 in /workspace. */
  cmd: z.union([z.string().min(1).max(100_000), z.array(z.string().max(100_000)).min(1).max(1_000)]),
  timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /** Bytes kept per stream (stdout, stderr); the rest is discarded as it streams. */
  maxOutputBytes: z.number().int().min(0).max(MiB).default(64 * 1024),
};

export const SandboxRequested = defineEvent({
  type: 'SandboxRequested',
  version: 1,
  schema: z.object(sandboxSpecShape).strict(),
});

export const sandboxReplySchema = z
  .object({
    sandboxId: sandboxIdSchema,
    workspaceId: z.string(),
    image: z.string(),
    engine: z.string(),
    containerName: z.string(),
    fromPool: z.boolean(),
    limits: sandboxLimitsSchema,
    expiresAt: z.string().datetime(),
  })
  .strict();
export type SandboxReply = z.infer<typeof sandboxReplySchema>;

export const CommandRequested = defineEvent({
  type: 'CommandRequested',
  version: 1,
  schema: z.object({ sandboxId: sandboxIdSchema, ...commandShape }).strict(),
});

export const commandReplySchema = z
  .object({
    sandboxId: sandboxIdSchema,
    /** null when it could not be known (the engine lost the exec). */
    exitCode: z.number().int().nullable(),
    /** The captured text; over 48 KiB it is the head and tail around a marker, the whole capture being blob stdoutHash. */
    stdout: z.string(),
    stderr: z.string(),
    stdoutHash: sha256.optional(),
    stderrHash: sha256.optional(),
    /** Some output was beyond maxOutputBytes and discarded. */
    truncated: z.boolean(),
    durationMs: z.number().int().nonnegative(),
    timedOut: z.boolean(),
    oomKilled: z.boolean(),
    pidsLimitHit: z.boolean(),
    /** Files the command changed in the workspace (recorded as WorkspaceChanged). */
    changedFiles: z.number().int().nonnegative(),
  })
  .strict();
export type CommandReply = z.infer<typeof commandReplySchema>;

/**
 * One request for a one-shot sandbox: create it (as SandboxRequested), run one command in it (as
 * CommandRequested), destroy it (as SandboxReleased). The facts in stream sandbox-<sandboxId> are
 * those of the three requests, all with this request's id: SandboxCreated (or SandboxFailed),
 * CommandExecuted (+ WorkspaceChanged), SandboxDestroyed {reason: released}. Answered with the
 * command's reply (sandboxRunReplySchema) once the command's facts and the destroy are recorded;
 * the container's removal finishes in the background. A re-run after a crash never runs the
 * command twice: a recorded result is answered again, a command cut off is answered
 * SANDBOX_DESTROYED (its sandbox was destroyed as interrupted).
 */
export const SandboxRunRequested = defineEvent({
  type: 'SandboxRunRequested',
  version: 1,
  schema: z.object({ ...sandboxSpecShape, ...commandShape }).strict(),
});

/** The reply of SandboxRunRequested: the command's (as CommandRequested's). */
export const sandboxRunReplySchema = commandReplySchema;
export type SandboxRunReply = CommandReply;

export const FileWriteRequested = defineEvent({
  type: 'FileWriteRequested',
  version: 1,
  schema: z
    .object({
      sandboxId: sandboxIdSchema,
      path: workspacePathSchema,
      /** UTF-8 text, or `hash` of bytes already put in the blob table (for large or binary files). */
      content: z.string().max(128 * 1024).optional(),
      hash: sha256.optional(),
    })
    .strict()
    .refine((d) => (d.content === undefined) !== (d.hash === undefined), { message: 'give exactly one of content and hash', path: ['content'] }),
});

export const FileReadRequested = defineEvent({
  type: 'FileReadRequested',
  version: 1,
  schema: z.object({ sandboxId: sandboxIdSchema, path: workspacePathSchema }).strict(),
});

export const fileReadReplySchema = z
  .object({
    sandboxId: sandboxIdSchema,
    path: z.string(),
    hash: sha256,
    size: z.number().int().nonnegative(),
    /** Inline when at most 64 KiB: UTF-8 text, or base64 when the bytes are not valid UTF-8. Otherwise read blob `hash`. */
    content: z.string().optional(),
    encoding: z.enum(['utf8', 'base64']).optional(),
  })
  .strict();
export type FileReadReply = z.infer<typeof fileReadReplySchema>;

export const SandboxReleased = defineEvent({
  type: 'SandboxReleased',
  version: 1,
  schema: z.object({ sandboxId: sandboxIdSchema, reason: z.string().max(500).optional() }).strict(),
});

export const releaseReplySchema = z.object({ sandboxId: sandboxIdSchema, destroyed: z.literal(true) }).strict();
export type ReleaseReply = z.infer<typeof releaseReplySchema>;

// ------------------------------------------------------------------ facts (stream sandbox-<id>)

/**
 * The sandbox's container exists (named, labelled, limited, its workspace mounted) and is being
 * started: SandboxRequested is answered with it while the start goes on, and commands wait for the
 * start. A container that then fails to start is a SandboxFailed after this event (same requestId,
 * code SANDBOX_ENGINE_ERROR), and its start error is the error of the commands that waited for it.
 */
export const SandboxCreated = defineEvent({
  type: 'SandboxCreated',
  version: 1,
  schema: z
    .object({
      sandboxId: sandboxIdSchema,
      requestId: z.string().uuid(),
      simulationId: z.string().uuid(),
      teamId: teamIdSchema.nullable(),
      /** `<simulationId>/<teamId>` for a team workspace, `copy/<sandboxId>` for a copy of one, `scratch/<sandboxId>` otherwise. */
      workspaceId: z.string().min(1),
      /** For a copy: the workspace it was copied from. */
      copyOf: z.string().min(1).optional(),
      imageKind: sandboxImageKindSchema,
      /** The exact image tag (content hash). */
      image: z.string().min(1),
      limits: sandboxLimitsSchema,
      runtime: z.string().nullable(),
      /** Which Docker engine (its DOCKER_HOST, or "default"). */
      engine: z.string().min(1),
      containerName: z.string().min(1),
      containerId: z.string().min(1),
      fromPool: z.boolean(),
      instanceId: z.string().min(1),
      expiresAt: z.string().datetime(),
    })
    .strict(),
  streamOf: (d) => sandboxStream(d.sandboxId),
});

/** The request was refused or its container could not be made; or, after SandboxCreated, the container did not start. */
export const SandboxFailed = defineEvent({
  type: 'SandboxFailed',
  version: 1,
  schema: z.object({ sandboxId: sandboxIdSchema, requestId: z.string().uuid(), code: z.string().min(1), reason: z.string() }).strict(),
  streamOf: (d) => sandboxStream(d.sandboxId),
});

export const CommandExecuted = defineEvent({
  type: 'CommandExecuted',
  version: 1,
  schema: z
    .object({
      sandboxId: sandboxIdSchema,
      /** The CommandRequested (its cmd is there). */
      requestId: z.string().uuid(),
      exitCode: z.number().int().nullable(),
      /** Captured output inline when at most 4 KiB, else in the blob table under the hash. */
      stdout: z.string().optional(),
      stdoutHash: sha256.optional(),
      stderr: z.string().optional(),
      stderrHash: sha256.optional(),
      stdoutBytes: z.number().int().nonnegative(),
      stderrBytes: z.number().int().nonnegative(),
      truncated: z.boolean(),
      durationMs: z.number().int().nonnegative(),
      timedOut: z.boolean(),
      oomKilled: z.boolean(),
      pidsLimitHit: z.boolean(),
    })
    .strict(),
  streamOf: (d) => sandboxStream(d.sandboxId),
});

export const FileWritten = defineEvent({
  type: 'FileWritten',
  version: 1,
  schema: z
    .object({
      sandboxId: sandboxIdSchema,
      workspaceId: z.string().min(1),
      requestId: z.string().uuid(),
      /** Normalised workspace-relative POSIX path. */
      path: z.string().min(1),
      hash: sha256,
      size: z.number().int().nonnegative(),
    })
    .strict(),
  streamOf: (d) => sandboxStream(d.sandboxId),
});

export const workspaceFileChangeSchema = z.object({ path: z.string().min(1), hash: sha256.nullable() }).strict();

/** What a command changed in the workspace: new or modified files (hash of the new content), deleted (hash null). */
export const WorkspaceChanged = defineEvent({
  type: 'WorkspaceChanged',
  version: 1,
  schema: z
    .object({
      sandboxId: sandboxIdSchema,
      workspaceId: z.string().min(1),
      /** The request after which the change was seen (a command, or a release); null when the reaper saw it. */
      requestId: z.string().uuid().nullable(),
      files: z.array(workspaceFileChangeSchema).min(1).max(1_000),
    })
    .strict(),
  streamOf: (d) => sandboxStream(d.sandboxId),
});

/**
 * owner-ended: the agent task it worked for (SandboxRequested.ownerTaskId) ended or was suspended;
 * simulation-ended: its simulation completed, failed (resumable or not) or was cancelled. Both only
 * for a sandbox requested before that end (the reaper, within one SANDBOX_REAP_INTERVAL_MS).
 */
export const sandboxDestroyReasonSchema = z.enum(['released', 'expired', 'interrupted', 'lost', 'owner-ended', 'simulation-ended']);

export const SandboxDestroyed = defineEvent({
  type: 'SandboxDestroyed',
  version: 1,
  schema: z
    .object({
      sandboxId: sandboxIdSchema,
      /** released: asked for; expired: TTL passed; interrupted: a command was cut off by a crash; lost: the container vanished; owner-ended, simulation-ended: see above. */
      reason: sandboxDestroyReasonSchema,
      requestId: z.string().uuid().nullable(),
    })
    .strict(),
  streamOf: (d) => sandboxStream(d.sandboxId),
});

export const SANDBOX_EVENTS = [
  SandboxRequested,
  CommandRequested,
  FileWriteRequested,
  FileReadRequested,
  SandboxReleased,
  SandboxRunRequested,
  SandboxCreated,
  SandboxFailed,
  CommandExecuted,
  FileWritten,
  WorkspaceChanged,
  SandboxDestroyed,
] as const;
