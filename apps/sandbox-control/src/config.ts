import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { DEFAULT_AGENT_ENDPOINT_ROOT } from '@swe-sim/contracts';
import { BaseConfig } from '@swe-sim/service-runtime';

const int = (min: number, max: number) => z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(min).max(max);
const MiB = 1024 * 1024;
const defaultInstanceId = `sandbox-control-${os.hostname()}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 60);

/** sandbox-control's settings (environment variables), on top of the base ones. */
export const sandboxConfigSchema = z.object({
  /** Engine instance id: the owner label of the containers it creates. Stable across restarts of one deployment. */
  SANDBOX_INSTANCE_ID: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$/, 'must be [a-zA-Z0-9_.-]').default(defaultInstanceId),
  /** Team workspaces live in <root>/<simulationId>/<teamId>; scratch ones under <root>/.scratch. */
  SANDBOX_WORKSPACE_ROOT: z.string().refine((p) => path.isAbsolute(p), 'must be an absolute path').default(path.join(os.tmpdir(), 'swe-sim-workspaces')),
  /** Comma list of Docker engines (unix:///var/run/docker.sock, tcp://host:2375); empty: DOCKER_HOST or the local socket. */
  SANDBOX_DOCKER_HOSTS: z.string().default(''),
  /** Started containers kept ready per image kind (serve scratch sandboxes only). */
  SANDBOX_WARM_POOL: int(0, 64).default(0),
  /** OCI runtime, e.g. runsc; empty: the engine's default (runc). */
  SANDBOX_RUNTIME: z.string().default(''),
  SANDBOX_IMAGE_PYTHON: z.string().default(''),
  SANDBOX_IMAGE_NODE: z.string().default(''),
  SANDBOX_DEFAULT_MEMORY_BYTES: int(16 * MiB, 64 * 1024 * MiB).default(512 * MiB),
  SANDBOX_DEFAULT_NANO_CPUS: int(10_000_000, 64_000_000_000).default(1_000_000_000),
  SANDBOX_DEFAULT_PIDS_LIMIT: int(8, 32_768).default(256),
  SANDBOX_DEFAULT_TMPFS_BYTES: int(MiB, 8 * 1024 * MiB).default(64 * MiB),
  /** The most a request may ask for; more is refused with SANDBOX_LIMITS_EXCEEDED. */
  SANDBOX_MAX_MEMORY_BYTES: int(16 * MiB, 64 * 1024 * MiB).default(4 * 1024 * MiB),
  SANDBOX_MAX_NANO_CPUS: int(10_000_000, 64_000_000_000).default(4_000_000_000),
  SANDBOX_MAX_PIDS_LIMIT: int(8, 32_768).default(1024),
  SANDBOX_MAX_TMPFS_BYTES: int(MiB, 8 * 1024 * MiB).default(1024 * MiB),
  SANDBOX_TTL_MS: int(1_000, 7 * 24 * 3_600_000).default(2 * 3_600_000),
  SANDBOX_REAP_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  /** A labelled container no read-model row knows is removed once older than this. */
  SANDBOX_REAP_GRACE_MS: int(0, 3_600_000).default(60_000),
  /** Agent programs' endpoint folders live in <root>/<sandboxId> (agent-execution must use the same root). */
  AGENT_ENDPOINT_ROOT: z.string().refine((p) => path.isAbsolute(p), 'must be an absolute path').default(DEFAULT_AGENT_ENDPOINT_ROOT),
  SANDBOX_MAX_CONCURRENT_CREATES: int(1, 256).default(8),
});

export type SandboxConfig = BaseConfig & z.infer<typeof sandboxConfigSchema>;
