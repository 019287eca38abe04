import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CommandReply } from '@swe-sim/contracts';
import { eventually, testInstanceId } from '@swe-sim/testing';
import { sandboxImageTags } from '../../apps/sandbox-control/src/docker';
import { SandboxControlHarness } from '../support/sandbox-control-harness';

/** sandbox-control killed with SIGKILL in the middle of a command, then restarted. */
describe('sandbox-control: crash in the middle of a command', () => {
  const runId = randomUUID().slice(0, 8);
  let sc: SandboxControlHarness;

  beforeAll(async () => {
    sc = await SandboxControlHarness.start({
      instanceId: testInstanceId('sc-crash'),
      env: { SUBSCRIPTION_POLL_MS: '200', SANDBOX_REAP_INTERVAL_MS: '500' },
      client: { requestTimeoutMs: 40_000 },
    });
  });

  afterAll(async () => {
    await sc?.stop();
  });

  it('answers the cut-off command RPC_INTERRUPTED after restart, records what it changed, and reaps its container and an orphan', async () => {
    const sandboxId = `crash-${runId}-a`;
    await sc.send('SandboxRequested', { sandboxId, teamId: 'team-c', image: 'python' });
    const workspace = path.join(sc.wsRoot, sc.simulationId, 'team-c');

    const long = sc.send<CommandReply>('CommandRequested', { sandboxId, cmd: 'echo half-done > partial.txt; sleep 120', timeoutMs: 300_000 }).catch((e) => e);
    await eventually(async () => (await fs.readFile(path.join(workspace, 'partial.txt'), 'utf8').catch(() => '')) === 'half-done\n', 15_000, 'command started');
    const openRuns = await sc.db.pool.query(`SELECT request_id FROM sc_command_runs WHERE sandbox_id = $1 AND finished_at IS NULL`, [sandboxId]);
    expect(openRuns.rowCount).toBe(1);
    const commandId: string = openRuns.rows[0].request_id;

    await sc.killProcess();
    // A container this instance made but never recorded (as if the crash had come between its start and SandboxCreated).
    const orphan = await sc.engine.createSandbox({ sandboxId: `crash-${runId}-orphan`, simulationId: sc.simulationId, image: sandboxImageTags().python, workspace: { type: 'fresh' } });
    expect(await sc.containerExists(orphan.containerName)).toBe(true);

    await sc.startProcess();
    const answer = await long;
    expect(answer).toMatchObject({ code: 'RPC_INTERRUPTED' }); // not lost: the same send() got its answer

    await eventually(async () => !(await sc.containerExists(`swe-sim-sbx-${sandboxId}`)) && !(await sc.containerExists(orphan.containerName)), 15_000, 'containers reaped');
    const stream = await sc.store.readStream(`sandbox-${sandboxId}`);
    expect(stream.map((e) => e.type)).toEqual(['SandboxCreated', 'WorkspaceChanged', 'SandboxDestroyed']);
    expect(stream[1]!.data).toMatchObject({ requestId: commandId, files: [{ path: 'partial.txt', hash: expect.any(String) }] });
    expect(stream[2]!.data).toEqual({ sandboxId, reason: 'interrupted', requestId: commandId });
    const replies = await sc.db.pool.query(`SELECT data FROM events WHERE type = 'RpcReplied' AND data->>'requestId' = $1`, [commandId]);
    expect(replies.rows.map((r) => r.data.error?.code)).toEqual(['RPC_INTERRUPTED']);

    // The agent goes on with a new sandbox on the same team workspace; the half-done file is there.
    await expect(sc.send('CommandRequested', { sandboxId, cmd: 'true' })).rejects.toMatchObject({ code: 'SANDBOX_DESTROYED' });
    const next = `crash-${runId}-b`;
    await sc.send('SandboxRequested', { sandboxId: next, teamId: 'team-c', image: 'python' });
    const r = await sc.send<CommandReply>('CommandRequested', { sandboxId: next, cmd: 'cat partial.txt' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'half-done\n', changedFiles: 0 });
    await sc.send('SandboxReleased', { sandboxId: next });
  });

  it('destroys a sandbox whose TTL passed (reaper), recording SandboxDestroyed expired', async () => {
    const sandboxId = `crash-${runId}-ttl`;
    await sc.send('SandboxRequested', { sandboxId, image: 'python', ttlMs: 1_000 });
    await eventually(async () => !(await sc.containerExists(`swe-sim-sbx-${sandboxId}`)), 15_000, 'expired sandbox reaped');
    const last = await eventually(async () => (await sc.store.readStream(`sandbox-${sandboxId}`)).find((e) => e.type === 'SandboxDestroyed'), 5_000);
    expect(last.data).toEqual({ sandboxId, reason: 'expired', requestId: null });
  });
});
