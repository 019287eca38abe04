import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { testInstanceId } from '@swe-sim/testing';
import { SandboxEngine } from '../../apps/sandbox-control/src/docker';
import { requireSandboxImages, testRunId } from '../../apps/sandbox-control/src/docker/sandbox-test-support';
import { reapOrphanedTestSandboxes } from './orphaned-test-sandboxes';

describe('reaping the sandboxes of test processes that are gone', () => {
  const runId = testRunId('orphan-reaper');
  const wsRoot = path.join(os.tmpdir(), `${runId}-ws`);
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid!; // exited by now
  const engines = {
    deadTest: new SandboxEngine({ instanceId: testInstanceId('gone', deadPid), workspaceRoot: wsRoot }),
    liveTest: new SandboxEngine({ instanceId: testInstanceId('alive'), workspaceRoot: wsRoot }),
    installation: new SandboxEngine({ instanceId: `${runId}-installation`, workspaceRoot: wsRoot }),
  };
  const runLabel = { 'test.run': runId };

  afterAll(async () => {
    await engines.installation.reap(() => true, { labels: runLabel });
    await Promise.all(Object.values(engines).map((e) => e.close()));
    await fs.rm(wsRoot, { recursive: true, force: true });
  });

  it("removes a dead test's containers, keeps a live test's and a real installation's", async () => {
    const tags = await requireSandboxImages(engines.installation.docker);
    const made = Object.fromEntries(
      await Promise.all(
        Object.entries(engines).map(async ([name, engine]) => [
          name,
          (await engine.createSandbox({ sandboxId: `${runId}-${name}`, simulationId: `sim-${runId}`, image: tags.base, workspace: { type: 'fresh' }, labels: runLabel })).containerId,
        ]),
      ),
    );

    const reaped = await reapOrphanedTestSandboxes();

    expect(reaped).toContain(made.deadTest);
    expect(reaped).not.toContain(made.liveTest);
    expect(reaped).not.toContain(made.installation);
    const left = (await engines.installation.listManaged({ labels: runLabel })).map((c) => c.containerId).sort();
    expect(left).toEqual([made.liveTest, made.installation].sort());
  });
});
