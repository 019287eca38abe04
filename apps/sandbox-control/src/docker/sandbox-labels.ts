/**
 * Labels carried by every container the engine creates. They are how a reaper
 * (possibly another process, after a crash) finds and judges containers: the
 * owner label names the engine instance that created the container.
 */
export const LABEL_PREFIX = 'swe-sim.';

export const SandboxLabel = {
  /** Always "true": marks a container as ours. */
  managed: `${LABEL_PREFIX}managed`,
  simulationId: `${LABEL_PREFIX}simulation-id`,
  sandboxId: `${LABEL_PREFIX}sandbox-id`,
  /** Engine instance id that created (and is responsible for) the container. */
  owner: `${LABEL_PREFIX}owner`,
  /** Warm-pool key, only on containers created for a pool. */
  pool: `${LABEL_PREFIX}pool`,
  image: `${LABEL_PREFIX}image`,
  createdAt: `${LABEL_PREFIX}created-at`,
} as const;

/** Prefix of container names; a sandbox container is named `${SANDBOX_NAME_PREFIX}${sandboxId}`. */
export const SANDBOX_NAME_PREFIX = 'swe-sim-sbx-';
export const POOL_NAME_PREFIX = 'swe-sim-pool-';

/** Docker container names: [a-zA-Z0-9][a-zA-Z0-9_.-]*; we also cap the length. */
const SANDBOX_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;

export function isValidSandboxId(id: string): boolean {
  return SANDBOX_ID_PATTERN.test(id);
}

export function sandboxContainerName(sandboxId: string): string {
  return `${SANDBOX_NAME_PREFIX}${sandboxId}`;
}

/** User labels must not collide with (or forge) the engine's own labels. */
export function assertNoReservedLabels(extra: Record<string, string> | undefined): void {
  for (const key of Object.keys(extra ?? {})) {
    if (key.startsWith(LABEL_PREFIX)) {
      throw new Error(`label ${key} uses the reserved prefix ${LABEL_PREFIX}`);
    }
  }
}

/** Docker label filter entries (`key=value` or `key`) from a record. */
export function labelFilters(labels: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (value !== undefined) out.push(`${key}=${value}`);
  }
  return out;
}
