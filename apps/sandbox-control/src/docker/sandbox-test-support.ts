/* Helpers for the *.int.spec.ts files of this folder (real Docker engine). */
import Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
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

/**
 * An image made from `base` whose containers are created but fail to start: $HOME is a file there,
 * so the runtime cannot mount the sandbox's tmpfs on it (a real start failure, not a mock).
 * Built locally (no registry), once per base tag.
 */
export async function startFailingImage(base: string): Promise<string> {
  const tag = `swe-sim-test/start-fails:${base.split(':').pop()}`;
  const dockerfile = `FROM ${base}\nUSER root\nRUN rm -rf /home/sandbox && touch /home/sandbox\nUSER 1000:1000\n`;
  await new Promise<void>((resolve, reject) => {
    const child = execFile('docker', ['build', '-q', '-t', tag, '-'], { timeout: 120_000 }, (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(dockerfile);
  });
  return tag;
}

/**
 * A unix-socket proxy in front of the local Docker engine that never passes on the engine's end of
 * a connection: a command's exec stream then stays open after its container went, as Docker has
 * been seen to do under load. With `refuseEvents`, `GET /events` is answered 503 (the event stream
 * is down). Close it after use.
 */
export async function stickyDockerProxy(opts: { refuseEvents?: boolean } = {}): Promise<{ docker: Docker; socketPath: string; close: () => Promise<void> }> {
  const socketPath = path.join(os.tmpdir(), `swe-sim-docker-proxy-${randomUUID().slice(0, 8)}.sock`);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    const upstream = net.connect('/var/run/docker.sock');
    sockets.add(upstream);
    upstream.pipe(client, { end: false }); // the engine's end never reaches the client
    upstream.on('error', () => undefined);
    client.on('error', () => undefined);
    client.on('end', () => upstream.end());
    client.on('data', (chunk: Buffer) => {
      if (opts.refuseEvents && /^GET \/(v[\d.]+\/)?events/.test(chunk.toString('latin1', 0, 64))) {
        upstream.destroy();
        client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    docker: new Docker({ socketPath }),
    socketPath,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.rm(socketPath, { force: true });
    },
  };
}
