import Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SandboxEngine } from './sandbox-engine';
import { SandboxImageTags } from './sandbox-image-tags';
import { requireSandboxImages, stickyDockerProxy, testRunId } from './sandbox-test-support';

/**
 * A command's exec ends within a second or two when its container dies or is removed under it, or
 * when the engine halts or destroys its sandbox: SandboxGoneError (SANDBOX_GONE), never its
 * 300 s time-out. The engine talks to Docker through a proxy that never passes on the end of a
 * stream (Docker has been seen to keep an exec's stream open after its container was removed), so
 * only the engine's own watch can end it: the `die`/`destroy` events, or, with the event stream
 * down, a poll of the container.
 */
describe('SandboxEngine: a command whose container goes', () => {
  const runId = testRunId('gone-it');
  const docker = new Docker();
  let tags: SandboxImageTags;
  const opened: Array<{ engine: SandboxEngine; close: () => Promise<void> }> = [];

  beforeAll(async () => {
    tags = await requireSandboxImages(docker);
  });

  afterAll(async () => {
    for (const { engine, close } of opened) {
      await engine.reap(() => true, { owner: runId }).catch(() => undefined);
      await engine.close();
      await close();
    }
    await fs.rm(path.join(os.tmpdir(), `${runId}-ws`), { recursive: true, force: true });
  });

  async function engineBehindProxy(refuseEvents = false): Promise<SandboxEngine> {
    const proxy = await stickyDockerProxy({ refuseEvents });
    const engine = new SandboxEngine({ instanceId: runId, docker: proxy.docker, workspaceRoot: path.join(os.tmpdir(), `${runId}-ws`) });
    opened.push({ engine, close: proxy.close });
    return engine;
  }

  /** A sandbox running `sleep 300` (time-out 300 s); resolves once it runs, with the exec's outcome to come. */
  async function sleeping(engine: SandboxEngine, suffix: string) {
    const h = await engine.createSandbox({ sandboxId: `${runId}-${suffix}`, simulationId: `sim-${runId}`, image: tags.base, workspace: { type: 'fresh' } });
    const outcome = engine.exec(h.sandboxId, 'sleep 300', { timeoutMs: 300_000 }).then(
      (r) => ({ code: 'NO_ERROR', how: undefined as string | undefined, result: r }),
      (e: { code: string; how?: string }) => ({ code: e.code, how: e.how, result: undefined }),
    );
    for (const t0 = Date.now(); Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 50))) {
      const top = await docker.getContainer(h.containerId).top().catch(() => ({ Processes: [] as string[][] }));
      if ((top.Processes ?? []).some((p: string[]) => p.join(' ').includes('sleep 300'))) return { h, outcome };
    }
    throw new Error('sleep 300 never ran');
  }

  const timed = async <T>(p: Promise<T>) => {
    const t0 = Date.now();
    const v = await p;
    return { ...v, ms: Date.now() - t0 };
  };

  it('ends when the container is force-removed by someone else (destroy event)', async () => {
    const engine = await engineBehindProxy();
    const { h, outcome } = await sleeping(engine, 'rm');
    const t0 = Date.now();
    await docker.getContainer(h.containerId).remove({ force: true });
    const r = await outcome;
    const ms = Date.now() - t0;
    console.log(JSON.stringify({ test: 'engine-container-removed', endedAfterMs: ms, how: r.how }));
    expect(r).toMatchObject({ code: 'SANDBOX_GONE', how: expect.stringMatching(/^(died|removed)$/) });
    expect(ms).toBeLessThan(2_000);
  });

  it('ends when the container is killed (die event), and refuses the next command', async () => {
    const engine = await engineBehindProxy();
    const { h, outcome } = await sleeping(engine, 'kill');
    const t0 = Date.now();
    await docker.getContainer(h.containerId).kill();
    const r = await outcome;
    const ms = Date.now() - t0;
    console.log(JSON.stringify({ test: 'engine-container-killed', endedAfterMs: ms, how: r.how }));
    expect(r).toMatchObject({ code: 'SANDBOX_GONE', how: 'died' });
    expect(ms).toBeLessThan(2_000);
    await expect(engine.exec(h.sandboxId, 'true')).rejects.toMatchObject({ code: 'SANDBOX_GONE', how: 'died' });
  });

  it('ends when the engine halts the sandbox, or destroys it', async () => {
    const engine = await engineBehindProxy();
    const a = await sleeping(engine, 'halt');
    const halted = await timed(Promise.all([engine.haltSandbox(a.h.sandboxId), a.outcome]).then(([, r]) => r));
    expect(halted).toMatchObject({ code: 'SANDBOX_GONE', how: 'halted' });
    expect(halted.ms).toBeLessThan(2_000);
    const b = await sleeping(engine, 'destroy');
    const destroyed = await timed(Promise.all([engine.destroySandbox(b.h.sandboxId, { removeWorkspace: true }), b.outcome]).then(([, r]) => r));
    expect(destroyed).toMatchObject({ code: 'SANDBOX_GONE', how: 'halted' });
    expect(destroyed.ms).toBeLessThan(2_000);
  });

  it('ends by polling the container while the event stream is down', async () => {
    const engine = await engineBehindProxy(true);
    const { h, outcome } = await sleeping(engine, 'poll');
    const t0 = Date.now();
    await docker.getContainer(h.containerId).remove({ force: true });
    const r = await outcome;
    const ms = Date.now() - t0;
    console.log(JSON.stringify({ test: 'engine-container-removed-no-events', endedAfterMs: ms, how: r.how }));
    expect(r).toMatchObject({ code: 'SANDBOX_GONE', how: expect.stringMatching(/^(died|removed)$/) });
    expect(ms).toBeLessThan(2_500);
  });
});
