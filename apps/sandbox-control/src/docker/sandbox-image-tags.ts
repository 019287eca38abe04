import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Content-hash tags of the sandbox images, as sandbox-images/build.sh computes them. */
export interface SandboxImageTags {
  base: string;
  python: string;
  node: string;
}

/** The first directory at or above `from` holding sandbox-images/build.sh (works from src and dist). */
export function findRepoRoot(from = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'sandbox-images', 'build.sh'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`sandbox-images/build.sh not found above ${from}`);
  }
}

/**
 * Asks `build.sh --print-tags` (one source of truth for the hash rule; builds
 * nothing).
 */
export function sandboxImageTags(repoRoot = findRepoRoot()): SandboxImageTags {
  const script = path.join(repoRoot, 'sandbox-images', 'build.sh');
  const out = execFileSync('bash', [script, '--print-tags'], { encoding: 'utf8', timeout: 10_000 });
  const tags = JSON.parse(out) as Partial<SandboxImageTags>;
  for (const k of ['base', 'python', 'node'] as const) {
    if (typeof tags[k] !== 'string') throw new Error(`build.sh --print-tags: no ${k} tag in ${out}`);
  }
  return tags as SandboxImageTags;
}
