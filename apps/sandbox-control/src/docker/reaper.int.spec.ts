import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { notRunning, ownerNotIn } from './reaper-predicates';
import { SandboxEngine } from './sandbox-engine';
import { SandboxImageTags } from './sandbox-image-tags';
import { requireSandboxImages, testRunId } from './sandbox-test-support';

describe('reaping containers of dead owners', () => {
  const runId = testRunId('reaper-it');
  const wsRoot = path.join(os.tmpdir(), `${runId}-ws`);
  const live = new SandboxEngine({ instanceId: `${runId}-live`, workspaceRoot: wsRoot });
  const dead = new SandboxEngine({ instanceId: `${runId}-dead`, workspaceRoot: wsRoot });
  const runLabel = { 'test.run': runId };
  let tags: SandboxImageTags;

  beforeAll(async () => {
    tags = await requireSandboxImages(live.docker);
  });

  afterAll(async () => {
    await live.reap(() => true, { labels: runLabel });
    await live.close();
    await dead.close();
    await fs.rm(wsRoot, { recursive: true, force: true });
  });

  function spec(engineTag: string, i: number) {
    return {
      sandboxId: `${runId}-${engineTag}-${i}`,
      simulationId: `sim-${runId}`,
      image: tags.base,
      workspace: { type: 'fresh' as const },
      labels: runLabel,
    };
  }

  it('removes exactly the containers whose owner is gone, running or not', async () => {
    const mine = await live.createSandbox(spec('live', 0));
    const orphans = await Promise.all([dead.createSandbox(spec('dead', 0)), dead.createSandbox(spec('dead', 1))]);
    // One orphan has stopped: the reaper must take it too.
    await live.docker.getContainer(orphans[1]!.containerId).kill();
    await dead.close(); // the "dead" instance is gone; its containers stay behind

    const before = await live.listManaged({ labels: runLabel });
    expect(before.map((c) => c.containerId).sort()).toEqual([mine.containerId, ...orphans.map((o) => o.containerId)].sort());

    const reaped = await live.reap(ownerNotIn([live.instanceId]), { labels: runLabel });
    expect(reaped.map((c) => c.containerId).sort()).toEqual(orphans.map((o) => o.containerId).sort());
    expect(reaped.every((c) => c.owner === dead.instanceId)).toBe(true);

    const after = await live.listManaged({ labels: runLabel });
    expect(after.map((c) => c.containerId)).toEqual([mine.containerId]);
    const r = await live.exec(mine.sandboxId, 'echo still-here');
    expect(r.stdout).toBe('still-here\n');

    // A second pass finds nothing more.
    expect(await live.reap(ownerNotIn([live.instanceId]), { labels: runLabel })).toEqual([]);
  });

  it('filters by simulation and reaps stopped containers', async () => {
    const a = await live.createSandbox({ ...spec('live', 1), simulationId: `other-${runId}` });
    await live.docker.getContainer(a.containerId).kill();
    const listed = await live.listManaged({ simulationId: `other-${runId}` });
    expect(listed.map((c) => c.sandboxId)).toEqual([a.sandboxId]);
    expect(listed[0]!.state).not.toBe('running');
    const reaped = await live.reap(notRunning, { labels: runLabel });
    expect(reaped.map((c) => c.containerId)).toEqual([a.containerId]);
  });
});
