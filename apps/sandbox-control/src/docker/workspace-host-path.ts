import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SandboxError } from './sandbox-errors';

/** Host paths that must never be reachable from a sandbox (the engine's socket above all). */
const FORBIDDEN_INSIDE = ['/var/run/docker.sock', '/run/docker.sock', '/run/containerd', '/var/lib/docker', '/proc', '/sys', '/dev', '/etc', '/root'];

function contains(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks a workspace directory before it is bind-mounted into a sandbox: absolute,
 * an existing directory (after realpath), not /, not containing (or inside) system
 * places such as the docker socket, and under one of `allowedRoots` when given.
 * Returns the real path, which is what gets mounted.
 */
export async function assertSafeWorkspaceHostPath(hostPath: string, allowedRoots?: string[]): Promise<string> {
  const bad = (why: string) => new SandboxError('SANDBOX_INVALID_SPEC', `workspace ${JSON.stringify(hostPath)}: ${why}`);
  if (!path.isAbsolute(hostPath)) throw bad('must be an absolute path');
  let real: string;
  try {
    real = await fs.realpath(hostPath);
  } catch {
    throw bad('does not exist');
  }
  if (!(await fs.stat(real)).isDirectory()) throw bad('is not a directory');
  if (real === '/') throw bad('is the root directory');
  for (const f of FORBIDDEN_INSIDE) {
    if (contains(real, f) || contains(f, real)) throw bad(`overlaps ${f}`);
  }
  if (allowedRoots && allowedRoots.length > 0) {
    const roots = await Promise.all(allowedRoots.map((r) => fs.realpath(r).catch(() => path.resolve(r))));
    if (!roots.some((r) => contains(r, real) && r !== real)) throw bad('is outside the allowed workspace roots');
  }
  return real;
}
