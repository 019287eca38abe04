import { promises as fs } from 'node:fs';

/** Where Docker puts a container's pids cgroup, by cgroup version and driver (default cgroup parent). */
const PIDS_CURRENT_PATHS: ReadonlyArray<(containerId: string) => string> = [
  (id) => `/sys/fs/cgroup/pids/docker/${id}/pids.current`, // v1, cgroupfs driver
  (id) => `/sys/fs/cgroup/pids/system.slice/docker-${id}.scope/pids.current`, // v1, systemd driver
  (id) => `/sys/fs/cgroup/docker/${id}/pids.current`, // v2, cgroupfs driver
  (id) => `/sys/fs/cgroup/system.slice/docker-${id}.scope/pids.current`, // v2, systemd driver
];

/**
 * Reads a container's task count (processes and threads) from the host's cgroup file system: a
 * file read instead of a Docker call. Only possible where this process sees the engine's cgroups
 * (a local engine, sandbox-control not in a container of its own); elsewhere — a remote engine, a
 * custom cgroup parent — the answer is undefined and callers ask Docker instead. The path carries
 * the full container id, so a remote engine's container is never mistaken for a local one.
 */
export class HostCgroups {
  /** The layout that answered last (tried first next time). */
  private layout = 0;

  async taskCount(containerId: string): Promise<number | undefined> {
    if (!/^[0-9a-f]{64}$/.test(containerId)) return undefined;
    for (let i = 0; i < PIDS_CURRENT_PATHS.length; i++) {
      const layout = (this.layout + i) % PIDS_CURRENT_PATHS.length;
      const text = await fs.readFile(PIDS_CURRENT_PATHS[layout]!(containerId), 'utf8').catch(() => undefined);
      const n = text === undefined ? NaN : Number(text.trim());
      if (Number.isSafeInteger(n) && n >= 0) {
        this.layout = layout;
        return n;
      }
    }
    return undefined;
  }
}
