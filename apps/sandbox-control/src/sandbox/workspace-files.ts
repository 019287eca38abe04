import * as path from 'node:path';
import { SandboxPathError } from '../docker';
import { SandboxRequestError } from './sandbox.errors';
import { isSkippedPath, normaliseWorkspacePath } from './workspace-manifest';

/**
 * A caller's workspace path, checked before any file system call: relative, not climbing out, not
 * into directories the manifest skips. (Symlinks are checked at open by the docker/ helpers.)
 */
export function checkedWorkspacePath(requested: string): string {
  if (requested.includes('\0')) throw new SandboxRequestError('SANDBOX_PATH_INVALID', `path ${JSON.stringify(requested)} is invalid`);
  if (path.posix.isAbsolute(requested) || requested.startsWith('\\')) {
    throw new SandboxRequestError('SANDBOX_PATH_OUTSIDE_WORKSPACE', `path ${JSON.stringify(requested)} refused: absolute paths are outside the workspace`, { reason: 'absolute' });
  }
  const normalised = normaliseWorkspacePath(requested);
  if (normalised === null || normalised === '') {
    throw new SandboxRequestError('SANDBOX_PATH_OUTSIDE_WORKSPACE', `path ${JSON.stringify(requested)} refused: it climbs out of the workspace`, { reason: 'parent-escape' });
  }
  if (isSkippedPath(normalised)) {
    throw new SandboxRequestError('SANDBOX_PATH_INVALID', `path ${JSON.stringify(requested)} refused: .git, node_modules and caches are not written through the file API`);
  }
  return normalised;
}

/** File system errors of the file API as the codes callers get. */
export function fileApiError(err: unknown, requested: string): Error {
  if (err instanceof SandboxRequestError) return err;
  if (err instanceof SandboxPathError) {
    return new SandboxRequestError(err.code, `path ${JSON.stringify(requested)} refused (${err.reason})`, { reason: err.reason });
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SandboxRequestError('SANDBOX_FILE_NOT_FOUND', `no file ${JSON.stringify(requested)} in the workspace`);
  if (code === 'ELOOP') return new SandboxRequestError('SANDBOX_PATH_OUTSIDE_WORKSPACE', `path ${JSON.stringify(requested)} refused (symlink)`, { reason: 'symlink-escape' });
  if (code === 'EISDIR' || code === 'ENOTDIR') return new SandboxRequestError('SANDBOX_PATH_INVALID', `path ${JSON.stringify(requested)} is a directory or goes through a file`);
  if (/is more than/.test((err as Error).message ?? '')) return new SandboxRequestError('SANDBOX_FILE_TOO_LARGE', (err as Error).message);
  return err as Error;
}
