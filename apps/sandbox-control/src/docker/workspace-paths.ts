import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export type SandboxPathErrorCode = 'SANDBOX_PATH_OUTSIDE_WORKSPACE' | 'SANDBOX_PATH_INVALID';
export type SandboxPathRefusal = 'absolute' | 'parent-escape' | 'symlink-escape' | 'invalid';

/** A workspace path was refused. `code` is stable (events, API answers); `reason` says why. */
export class SandboxPathError extends Error {
  override readonly name = 'SandboxPathError';
  constructor(
    readonly code: SandboxPathErrorCode,
    readonly reason: SandboxPathRefusal,
    readonly requestedPath: string,
  ) {
    super(`${code}: ${JSON.stringify(requestedPath)} refused (${reason})`);
  }
}

function outside(reason: SandboxPathRefusal, p: string): SandboxPathError {
  return new SandboxPathError('SANDBOX_PATH_OUTSIDE_WORKSPACE', reason, p);
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a path given relative to a workspace root to an absolute host path inside
 * the workspace, or throws SandboxPathError. Refused: absolute paths, paths whose
 * normalised form climbs out (`../../etc/passwd`), and paths whose existing part
 * resolves (realpath) outside the root through a symlink, including a dangling
 * symlink as the last component (a write would follow it). The file itself need not
 * exist. The returned path is fully resolved for its existing part.
 *
 * The workspace is writable from inside the sandbox, so a check is only as good as
 * the moment it is made: use readWorkspaceFile/writeWorkspaceFile, which re-check the
 * opened descriptor, rather than this plus a separate open.
 */
export async function resolveWorkspacePath(root: string, relPath: string): Promise<string> {
  if (typeof relPath !== 'string' || relPath === '' || relPath.includes('\0')) {
    throw new SandboxPathError('SANDBOX_PATH_INVALID', 'invalid', String(relPath));
  }
  if (path.isAbsolute(relPath) || relPath.startsWith('\\')) throw outside('absolute', relPath);
  const normalized = path.normalize(relPath);
  if (normalized === '..' || normalized.startsWith(`..${path.sep}`)) throw outside('parent-escape', relPath);

  const realRoot = await fs.realpath(root);
  const target = path.join(realRoot, normalized);

  // Walk up to the deepest part that exists; resolve it; re-append the rest.
  let existing = target;
  const missing: string[] = [];
  for (;;) {
    try {
      await fs.lstat(existing);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
  let resolved: string;
  try {
    resolved = await fs.realpath(existing);
  } catch (err) {
    // A dangling symlink (or a loop): where it points is not known to be inside.
    if (['ENOENT', 'ELOOP'].includes((err as NodeJS.ErrnoException).code ?? '')) {
      throw outside('symlink-escape', relPath);
    }
    throw err;
  }
  if (!isInside(realRoot, resolved)) throw outside('symlink-escape', relPath);
  return path.join(resolved, ...missing);
}

/** After open: where does the descriptor really point? (Linux /proc.) */
async function assertDescriptorInside(root: string, fd: number, relPath: string): Promise<void> {
  const realRoot = await fs.realpath(root);
  const actual = await fs.readlink(`/proc/self/fd/${fd}`);
  if (!isInside(realRoot, actual)) throw outside('symlink-escape', relPath);
}

/** Reads a workspace file; refuses paths (and races) that leave the workspace. */
export async function readWorkspaceFile(root: string, relPath: string, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
  const file = await resolveWorkspacePath(root, relPath);
  const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    await assertDescriptorInside(root, handle.fd, relPath);
    const { size } = await handle.stat();
    if (size > maxBytes) throw new Error(`${relPath}: ${size} bytes is more than ${maxBytes}`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a workspace file (creating parent directories inside the workspace), owned
 * by the sandbox user (uid 1000) when the engine runs as root.
 * O_NOFOLLOW on the last component and a descriptor check after open; the file is
 * truncated only once the descriptor is known to be inside the workspace.
 */
export async function writeWorkspaceFile(
  root: string,
  relPath: string,
  data: string | Uint8Array,
  owner: { uid: number; gid: number } | undefined = process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : undefined,
): Promise<string> {
  const file = await resolveWorkspacePath(root, relPath);
  const firstCreated = await fs.mkdir(path.dirname(file), { recursive: true });
  if (owner && firstCreated) {
    // Directories we made must belong to the sandbox user, or its commands cannot write there.
    for (let d = path.dirname(file); d.length >= firstCreated.length; d = path.dirname(d)) {
      await fs.lchown(d, owner.uid, owner.gid);
    }
  }
  // Re-resolve: directories may have been created or swapped meanwhile.
  const checked = await resolveWorkspacePath(root, relPath);
  const handle = await fs.open(checked, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW, 0o644);
  try {
    await assertDescriptorInside(root, handle.fd, relPath);
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.truncate(0);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  return checked;
}
