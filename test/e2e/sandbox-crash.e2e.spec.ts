import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { CommandReply, createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';
import { SandboxEngine, sandboxImageTags } from '../../apps/sandbox-control/src/docker';

/** sandbox-control killed with SIGKILL in the middle of a command, then restarted. */
describe('sandbox-control: crash in the middle of a command', () => {
  const runId = randomUUID().slice(0, 8);
  const instanceId = `sc-crash-${runId}`;
  const simulationId = randomUUID();
  let wsRoot: string;
  let db: TestDatabase;
  let store: EventStore;
  let client: EventStoreClient;
  let service: RunningService | undefined;
  const engine = new SandboxEngine({ instanceId });

  const env = () => ({
    DATABASE_URL: db.url,
    SANDBOX_INSTANCE_ID: instanceId,
    SANDBOX_WORKSPACE_ROOT: wsRoot,
    SANDBOX_REAP_GRACE_MS: '0',
    SUBSCRIPTION_POLL_MS: '200',
    SANDBOX_REAP_INTERVAL_MS: '500',
  });
  const send = <T>(type: string, data: unknown) => lastValueFrom(client.send<T>(type, new EventRecord(data, { metadata: { simulationId } })));
  const exists = (name: string) => engine.docker.getContainer(name).inspect().then(() => true, () => false);

  beforeAll(async () => {
    wsRoot = await fs.mkdtemp(path.join(os.tmpdir(), `sc-crash-${runId}-`));
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry() });
    client = new EventStoreClient({ store, connection: { connectionString: db.url }, service: 'agent-execution-test', requestTimeoutMs: 40_000, replyPollMs: 200 });
    await client.connect();
    service = await startService('sandbox-control', env());
  });

  afterAll(async () => {
    await service?.kill('SIGKILL');
    await engine.reap(() => true, { owner: instanceId });
    await engine.close();
    await client?.close();
    await db?.drop();
    await fs.rm(wsRoot, { recursive: true, force: true });
  });

  it('answers the cut-off command RPC_INTERRUPTED after restart, records what it changed, and reaps its container and an orphan', async () => {
    const sandboxId = `crash-${runId}-a`;
    await send('SandboxRequested', { sandboxId, teamId: 'team-c', image: 'python' });
    const workspace = path.join(wsRoot, simulationId, 'team-c');

    const long = send<CommandReply>('CommandRequested', { sandboxId, cmd: 'echo half-done > partial.txt; sleep 120', timeoutMs: 300_000 }).catch((e) => e);
    await eventually(async () => (await fs.readFile(path.join(workspace, 'partial.txt'), 'utf8').catch(() => '')) === 'half-done\n', 15_000, 'command started');
    const openRuns = await db.pool.query(`SELECT request_id FROM sc_command_runs WHERE sandbox_id = $1 AND finished_at IS NULL`, [sandboxId]);
    expect(openRuns.rowCount).toBe(1);
    const commandId: string = openRuns.rows[0].request_id;

    await service!.kill('SIGKILL');
    service = undefined;
    // A container this instance made but never recorded (as if the crash had come between its start and SandboxCreated).
    const orphan = await engine.createSandbox({ sandboxId: `crash-${runId}-orphan`, simulationId, image: sandboxImageTags().python, workspace: { type: 'fresh' } });
    expect(await exists(orphan.containerName)).toBe(true);

    service = await startService('sandbox-control', env());
    const answer = await long;
    expect(answer).toMatchObject({ code: 'RPC_INTERRUPTED' }); // not lost: the same send() got its answer

    await eventually(async () => !(await exists(`swe-sim-sbx-${sandboxId}`)) && !(await exists(orphan.containerName)), 15_000, 'containers reaped');
    const stream = await store.readStream(`sandbox-${sandboxId}`);
    expect(stream.map((e) => e.type)).toEqual(['SandboxCreated', 'WorkspaceChanged', 'SandboxDestroyed']);
    expect(stream[1]!.data).toMatchObject({ requestId: commandId, files: [{ path: 'partial.txt', hash: expect.any(String) }] });
    expect(stream[2]!.data).toEqual({ sandboxId, reason: 'interrupted', requestId: commandId });
    const replies = await db.pool.query(`SELECT data FROM events WHERE type = 'RpcReplied' AND data->>'requestId' = $1`, [commandId]);
    expect(replies.rows.map((r) => r.data.error?.code)).toEqual(['RPC_INTERRUPTED']);

    // The agent goes on with a new sandbox on the same team workspace; the half-done file is there.
    await expect(send('CommandRequested', { sandboxId, cmd: 'true' })).rejects.toMatchObject({ code: 'SANDBOX_DESTROYED' });
    const next = `crash-${runId}-b`;
    await send('SandboxRequested', { sandboxId: next, teamId: 'team-c', image: 'python' });
    const r = await send<CommandReply>('CommandRequested', { sandboxId: next, cmd: 'cat partial.txt' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'half-done\n', changedFiles: 0 });
    await send('SandboxReleased', { sandboxId: next });
  });

  it('destroys a sandbox whose TTL passed (reaper), recording SandboxDestroyed expired', async () => {
    const sandboxId = `crash-${runId}-ttl`;
    await send('SandboxRequested', { sandboxId, image: 'python', ttlMs: 1_000 });
    await eventually(async () => !(await exists(`swe-sim-sbx-${sandboxId}`)), 15_000, 'expired sandbox reaped');
    const last = await eventually(async () => (await store.readStream(`sandbox-${sandboxId}`)).find((e) => e.type === 'SandboxDestroyed'), 5_000);
    expect(last.data).toEqual({ sandboxId, reason: 'expired', requestId: null });
  });
});
