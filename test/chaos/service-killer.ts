/**
 * Finds the service processes this process's supervisor started (its own children, by parent pid:
 * never anyone else's) and SIGKILLs one of them at random.
 */
import { execFileSync } from 'node:child_process';

export interface ServiceProcess {
  pid: number;
  service: string;
  /** Seconds since it started. */
  uptimeS: number;
}

export interface Kill {
  /** ms since the chaos phase began. */
  atMs: number;
  service: string;
  pid: number;
  uptimeS: number;
}

const ENTRY = /\/dist\/apps\/([a-z-]+)\/src\/main\.js(?:\s|$)/;

/** This process's children that run one of `services` (by their entry point dist/apps/<name>/src/main.js). */
export function serviceChildren(services: readonly string[], parentPid = process.pid): ServiceProcess[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=,etimes=,args=', '--ppid', String(parentPid)], { encoding: 'utf8', timeout: 5_000 });
  } catch (err) {
    // ps exits 1 when there is no child at all
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
  const found: ServiceProcess[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const service = ENTRY.exec(m[3])?.[1];
    if (service && services.includes(service)) found.push({ pid: Number(m[1]), uptimeS: Number(m[2]), service });
  }
  return found;
}

/** SIGKILLs one live service process picked with `random`; null when none is alive right now. */
export function killRandomService(services: readonly string[], random: () => number, startedAt: number): Kill | null {
  const alive = serviceChildren(services);
  if (alive.length === 0) return null;
  const victim = alive[Math.floor(random() * alive.length)];
  try {
    process.kill(victim.pid, 'SIGKILL');
  } catch {
    return null; // it died meanwhile
  }
  return { atMs: Date.now() - startedAt, service: victim.service, pid: victim.pid, uptimeS: victim.uptimeS };
}
