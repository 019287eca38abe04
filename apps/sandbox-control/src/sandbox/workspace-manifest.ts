import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileChange } from './sandbox.decider';

import { Manifest } from '@swe-sim/contracts';

export { rebuildWorkspace } from '@swe-sim/contracts';
export type { Manifest } from '@swe-sim/contracts';

/** Directories never recorded: version control and caches that tools rebuild. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '__pycache__', '.pytest_cache']);

export const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** True when a normalised relative path lies in a directory the manifest skips. */
export function isSkippedPath(relPath: string): boolean {
  return relPath.split('/').some((segment) => SKIPPED_DIRS.has(segment));
}

/** Normalises a workspace-relative path the way manifests key it (`./a//b` → `a/b`); null if it escapes. */
export function normaliseWorkspacePath(p: string): string | null {
  const n = path.posix.normalize(p.replace(/\\/g, '/'));
  if (n === '.' || n === '..' || n.startsWith('../') || path.posix.isAbsolute(n)) return null;
  return n.replace(/\/$/, '');
}

/** What changed from `previous` to `current`: new/modified files with their hash, deleted ones with null. Sorted by path. */
export function diffManifest(previous: ReadonlyMap<string, string>, current: ReadonlyMap<string, string>): FileChange[] {
  const changes: FileChange[] = [];
  for (const [p, hash] of current) if (previous.get(p) !== hash) changes.push({ path: p, hash });
  for (const p of previous.keys()) if (!current.has(p)) changes.push({ path: p, hash: null });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface ScannedFile {
  hash: string;
  size: number;
}

interface CacheEntry {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  hash: string;
}

/**
 * Scans a workspace folder: every regular file outside SKIPPED_DIRS, with its sha256.
 * Symlinks are not followed and not recorded (a link pointing out of the workspace is never read).
 * A stat cache (inode, size, mtime, ctime in ns) avoids re-hashing unchanged files between scans.
 */
export class WorkspaceScanner {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly maxFileBytes = 64 * 1024 * 1024) {}

  async scan(root: string): Promise<Map<string, ScannedFile>> {
    const out = new Map<string, ScannedFile>();
    const seen = new Set<string>();
    const realRoot = await fs.realpath(root);
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed while we looked
        throw err;
      }
      for (const entry of entries) {
        const relPath = rel ? `${rel}/${entry.name}` : entry.name;
        const abs = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) await walk(abs, relPath);
        } else if (entry.isFile()) {
          const file = await this.hashFile(abs, realRoot);
          if (file) {
            out.set(relPath, file);
            seen.add(abs);
          }
        }
      }
    };
    await walk(realRoot, '');
    for (const key of this.cache.keys()) if (key.startsWith(realRoot + path.sep) && !seen.has(key)) this.cache.delete(key);
    return out;
  }

  private async hashFile(abs: string, realRoot: string): Promise<ScannedFile | null> {
    let handle: import('node:fs/promises').FileHandle;
    try {
      handle = await fs.open(abs, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    } catch (err) {
      if (['ENOENT', 'ELOOP', 'ENXIO'].includes((err as NodeJS.ErrnoException).code ?? '')) return null;
      throw err;
    }
    try {
      // A directory swapped for a symlink after readdir would lead the open outside: check where it went.
      if (!(await descriptorInside(handle.fd, realRoot))) return null;
      const st = await handle.stat({ bigint: true });
      if (!st.isFile()) return null;
      const cached = this.cache.get(abs);
      if (cached && cached.ino === st.ino && cached.size === st.size && cached.mtimeNs === st.mtimeNs && cached.ctimeNs === st.ctimeNs) {
        return { hash: cached.hash, size: Number(st.size) };
      }
      if (st.size > BigInt(this.maxFileBytes)) {
        // Too large to keep: recorded by a hash of its identity so that the change is still visible.
        const hash = sha256Hex(`oversized:${st.size}:${st.mtimeNs}`);
        return { hash, size: Number(st.size) };
      }
      const bytes = await handle.readFile();
      const hash = sha256Hex(bytes);
      this.cache.set(abs, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, hash });
      return { hash, size: bytes.length };
    } finally {
      await handle.close();
    }
  }
}

/** Reads one file of a scanned workspace for the blob table (no symlinks followed); null if it went away. */
export async function readScannedFile(root: string, relPath: string): Promise<Buffer | null> {
  try {
    const realRoot = await fs.realpath(root);
    const handle = await fs.open(path.join(realRoot, relPath), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    try {
      if (!(await descriptorInside(handle.fd, realRoot))) return null;
      if (!(await handle.stat()).isFile()) return null;
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (['ENOENT', 'ELOOP', 'ENXIO'].includes((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
}

/** Where an open descriptor really points (Linux /proc), checked against the workspace root. */
async function descriptorInside(fd: number, realRoot: string): Promise<boolean> {
  const actual = await fs.readlink(`/proc/self/fd/${fd}`);
  return actual.startsWith(realRoot + path.sep);
}
