import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** Content-hash tags of the sandbox images, as sandbox-images/build.sh computes them. */
export interface SandboxImageTags {
  base: string;
  python: string;
  node: string;
}

/**
 * Asks `build.sh --print-tags` (one source of truth for the hash rule; builds
 * nothing). `repoRoot` defaults to the directory above apps/.
 */
export function sandboxImageTags(repoRoot = path.resolve(__dirname, '../../../..')): SandboxImageTags {
  const script = path.join(repoRoot, 'sandbox-images', 'build.sh');
  const out = execFileSync('bash', [script, '--print-tags'], { encoding: 'utf8', timeout: 10_000 });
  const tags = JSON.parse(out) as Partial<SandboxImageTags>;
  for (const k of ['base', 'python', 'node'] as const) {
    if (typeof tags[k] !== 'string') throw new Error(`build.sh --print-tags: no ${k} tag in ${out}`);
  }
  return tags as SandboxImageTags;
}
