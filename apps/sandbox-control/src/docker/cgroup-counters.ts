/**
 * Kernel counters of the container's own cgroup, read from inside the container
 * (docker mounts the container's cgroup read-only at /sys/fs/cgroup). They are
 * monotonic and cannot be forged by the sandboxed code, and, unlike docker's
 * State.OOMKilled, they also count an OOM kill of an exec'd process.
 *   pids:   "max N" in pids.events  (v1: pids/pids.events, v2: pids.events)
 *   memory: "oom_kill N" in memory.oom_control (v1) or memory.events (v2)
 */
export interface CgroupCounters {
  pidsMax: number;
  oomKill: number;
}

export const CGROUP_COUNTERS_SCRIPT = [
  'cat /sys/fs/cgroup/pids/pids.events 2>/dev/null || cat /sys/fs/cgroup/pids.events 2>/dev/null',
  'cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null || cat /sys/fs/cgroup/memory.events 2>/dev/null',
  'true',
].join('; ');

export function parseCgroupCounters(text: string): CgroupCounters | undefined {
  let pidsMax: number | undefined;
  let oomKill: number | undefined;
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    if (key === 'max') pidsMax = n;
    else if (key === 'oom_kill') oomKill = n;
  }
  if (pidsMax === undefined && oomKill === undefined) return undefined;
  return { pidsMax: pidsMax ?? 0, oomKill: oomKill ?? 0 };
}
