import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SandboxEngine } from './sandbox-engine';
import { SandboxImageTags } from './sandbox-image-tags';
import { makeTempWorkspace, requireSandboxImages, testRunId } from './sandbox-test-support';

describe('warm pool', () => {
  const runId = testRunId('pool-it');
  const wsRoot = path.join(os.tmpdir(), `${runId}-ws`);
  const engine = new SandboxEngine({ instanceId: runId, workspaceRoot: wsRoot });
  let tags: SandboxImageTags;

  beforeAll(async () => {
    tags = await requireSandboxImages(engine.docker);
  });

  afterAll(async () => {
    await engine.close();
    await engine.reap(() => true, { owner: runId });
    await fs.rm(wsRoot, { recursive: true, force: true });
  });

  it('serves fresh-workspace sandboxes from started containers and refills', async () => {
    const limits = { memoryBytes: 256 * 1024 * 1024, pidsLimit: 128 };
    const pool = engine.enableWarmPool({ image: tags.python, size: 2, limits });
    await pool.waitUntilFull(30_000);
    const idle = await engine.listManaged({ owner: runId, pool: pool.key });
    expect(idle).toHaveLength(2);
    expect(idle.every((c) => c.state === 'running' && c.sandboxId === undefined)).toBe(true);

    const t0 = Date.now();
    const sbx = await engine.createSandbox({
      sandboxId: `${runId}-a`,
      simulationId: `sim-${runId}`,
      image: tags.python,
      limits,
      workspace: { type: 'fresh' },
      env: { FROM_SPEC: 'yes' },
    });
    const claimMs = Date.now() - t0;
    expect(sbx.fromPool).toBe(true);
    expect(idle.map((c) => c.containerId)).toContain(sbx.containerId);
    expect(claimMs).toBeLessThan(500);

    // Renamed: found by sandbox id (also by other instances), and the spec env applies.
    const listed = await engine.listManaged({ sandboxId: sbx.sandboxId });
    expect(listed.map((c) => c.containerId)).toEqual([sbx.containerId]);
    const r = await engine.exec(sbx.sandboxId, 'echo "$FROM_SPEC" > /workspace/f && id -u && cat /workspace/f');
    expect(r.stdout).toBe('1000\nyes\n');
    expect(await fs.readFile(path.join(sbx.workspaceHostPath!, 'f'), 'utf8')).toBe('yes\n');

    await pool.waitUntilFull(30_000);
    const refilled = await engine.listManaged({ owner: runId, pool: pool.key });
    expect(refilled.filter((c) => !c.name.startsWith('swe-sim-sbx-'))).toHaveLength(2);

    await engine.destroySandbox(sbx.sandboxId, { removeWorkspace: true });
    await expect(fs.stat(sbx.workspaceHostPath!)).rejects.toThrow();
  });

  it('does not serve incompatible specs from the pool', async () => {
    const ws = await makeTempWorkspace(runId);
    try {
      const bound = await engine.createSandbox({
        sandboxId: `${runId}-bind`, simulationId: 's', image: tags.python, limits: { memoryBytes: 256 * 1024 * 1024, pidsLimit: 128 },
        workspace: { type: 'bind', hostPath: ws },
      });
      expect(bound.fromPool).toBe(false);
      const otherLimits = await engine.createSandbox({
        sandboxId: `${runId}-lim`, simulationId: 's', image: tags.python, limits: { memoryBytes: 300 * 1024 * 1024 },
        workspace: { type: 'fresh' },
      });
      expect(otherLimits.fromPool).toBe(false);
      const info = await engine.docker.getContainer(otherLimits.containerId).inspect();
      expect(info.HostConfig.Memory).toBe(300 * 1024 * 1024);
    } finally {
      await fs.rm(ws, { recursive: true, force: true });
    }
  });
});
