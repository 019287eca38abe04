/* Helpers for the *.int.spec.ts files of this folder (real Docker engine). */
import Docker from 'dockerode';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxImageTags, SandboxImageTags } from './sandbox-image-tags';

/** Unique per test file run: used as engine instance id and label value, reaped in afterAll. */
export function testRunId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The built images, or a clear failure telling how to build them. */
export async function requireSandboxImages(docker: Docker): Promise<SandboxImageTags> {
  const tags = sandboxImageTags();
  for (const tag of Object.values(tags)) {
    try {
      await docker.getImage(tag).inspect();
    } catch {
      throw new Error(`sandbox image ${tag} is missing: run scripts/ci/ensure-docker.sh && npm run sandbox:build`);
    }
  }
  return tags;
}

/** A temporary host directory owned by the sandbox user (uid 1000). */
export async function makeTempWorkspace(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  await fs.chmod(dir, 0o755);
  if (process.getuid?.() === 0) await fs.chown(dir, 1000, 1000);
  else await fs.chmod(dir, 0o777);
  return dir;
}
