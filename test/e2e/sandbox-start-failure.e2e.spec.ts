import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SandboxReply } from '@swe-sim/contracts';
import { eventually, testInstanceId } from '@swe-sim/testing';
import { sandboxImageTags } from '../../apps/sandbox-control/src/docker';
import { startFailingImage } from '../../apps/sandbox-control/src/docker/sandbox-test-support';
import { failureOf, SandboxControlHarness } from '../support/sandbox-control-harness';

/**
 * SandboxRequested is answered once the container is created; it starts meanwhile. A container that
 * then fails to start (here: an image whose $HOME is a file, so the tmpfs cannot be mounted) is
 * recorded as SandboxFailed and is the error of the command that waited for it.
 */
describe('sandbox-control: a container that does not start after SandboxCreated', () => {
  const runId = randomUUID().slice(0, 8);
  let sc: SandboxControlHarness;

  beforeAll(async () => {
    const image = await startFailingImage(sandboxImageTags().python);
    sc = await SandboxControlHarness.start({
      instanceId: testInstanceId('sc-start'),
      env: { SANDBOX_IMAGE_PYTHON: image, SANDBOX_REAP_INTERVAL_MS: '300' },
    });
  });

  afterAll(async () => {
    await sc?.stop();
  });

  it('records SandboxFailed after SandboxCreated, answers the waiting command with the start error, and leaves nothing behind', async () => {
    const sandboxId = `start-${runId}-a`;
    const created = await sc.send<SandboxReply>('SandboxRequested', { sandboxId, image: 'python' });
    expect(created).toMatchObject({ sandboxId, containerName: `swe-sim-sbx-${sandboxId}` });

    const command = await failureOf(sc.send('CommandRequested', { sandboxId, cmd: 'echo never' }));
    expect(command.code).toMatch(/^SANDBOX_(ENGINE_ERROR|NOT_FOUND)$/); // waited for the start, or came after its failure was recorded
    expect(command.message).toMatch(/home\/sandbox/);

    const stream = await eventually(async () => {
      const events = await sc.store.readStream(`sandbox-${sandboxId}`);
      return events.length >= 2 ? events : undefined;
    }, 10_000, 'SandboxFailed recorded');
    expect(stream.map((e) => e.type)).toEqual(['SandboxCreated', 'SandboxFailed']);
    expect(stream[1]!.data).toMatchObject({ sandboxId, requestId: (stream[0]!.data as { requestId: string }).requestId, code: 'SANDBOX_ENGINE_ERROR', reason: expect.stringMatching(/starting sandbox/) });

    // No container, no scratch workspace, a closed row; later commands are refused naming the failure.
    expect(await sc.engine.listManaged({ sandboxId })).toEqual([]);
    expect(await fs.readdir(path.join(sc.wsRoot, '.scratch')).catch(() => [])).toEqual([]);
    const row = await sc.db.pool.query(`SELECT status, destroy_reason FROM sc_sandboxes WHERE sandbox_id = $1`, [sandboxId]);
    expect(row.rows).toEqual([{ status: 'destroyed', destroy_reason: 'start-failed' }]);
    await expect(failureOf(sc.send('CommandRequested', { sandboxId, cmd: 'true' }))).resolves.toMatchObject({
      code: 'SANDBOX_NOT_FOUND',
      message: expect.stringMatching(/failed: .*starting sandbox/),
    });

    // The reaper (every 300 ms here) has nothing to add: no SandboxDestroyed "lost" for it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await sc.store.readStream(`sandbox-${sandboxId}`)).map((e) => e.type)).toEqual(['SandboxCreated', 'SandboxFailed']);
  });
});
