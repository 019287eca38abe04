import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { createEventRegistry, SandboxReply } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';
import { SandboxEngine, sandboxImageTags } from '../../apps/sandbox-control/src/docker';
import { startFailingImage } from '../../apps/sandbox-control/src/docker/sandbox-test-support';

/**
 * SandboxRequested is answered once the container is created; it starts meanwhile. A container that
 * then fails to start (here: an image whose $HOME is a file, so the tmpfs cannot be mounted) is
 * recorded as SandboxFailed and is the error of the command that waited for it.
 */
describe('sandbox-control: a container that does not start after SandboxCreated', () => {
  const runId = randomUUID().slice(0, 8);
  const instanceId = `sc-start-${runId}`;
  const simulationId = randomUUID();
  let wsRoot: string;
  let db: TestDatabase;
  let store: EventStore;
  let client: EventStoreClient;
  let service: RunningService | undefined;
  const engine = new SandboxEngine({ instanceId });

  const send = <T>(type: string, data: unknown) => lastValueFrom(client.send<T>(type, new EventRecord(data, { metadata: { simulationId } })));
  const failureOf = (p: Promise<unknown>) => p.then(() => ({ code: 'NO_ERROR', message: '' }), (e: { code: string; message: string }) => e);

  beforeAll(async () => {
    const image = await startFailingImage(sandboxImageTags().python);
    wsRoot = await fs.mkdtemp(path.join(os.tmpdir(), `sc-start-${runId}-`));
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry() });
    client = new EventStoreClient({ store, connection: { connectionString: db.url }, service: 'agent-execution-test', requestTimeoutMs: 30_000, replyPollMs: 200 });
    await client.connect();
    service = await startService('sandbox-control', {
      DATABASE_URL: db.url,
      SANDBOX_INSTANCE_ID: instanceId,
      SANDBOX_WORKSPACE_ROOT: wsRoot,
      SANDBOX_IMAGE_PYTHON: image,
      SANDBOX_REAP_GRACE_MS: '0',
      SANDBOX_REAP_INTERVAL_MS: '300',
    });
  });

  afterAll(async () => {
    await service?.kill('SIGKILL');
    await engine.reap(() => true, { owner: instanceId });
    await engine.close();
    await client?.close();
    await db?.drop();
    await fs.rm(wsRoot, { recursive: true, force: true });
  });

  it('records SandboxFailed after SandboxCreated, answers the waiting command with the start error, and leaves nothing behind', async () => {
    const sandboxId = `start-${runId}-a`;
    const created = await send<SandboxReply>('SandboxRequested', { sandboxId, image: 'python' });
    expect(created).toMatchObject({ sandboxId, containerName: `swe-sim-sbx-${sandboxId}` });

    const command = await failureOf(send('CommandRequested', { sandboxId, cmd: 'echo never' }));
    expect(command.code).toMatch(/^SANDBOX_(ENGINE_ERROR|NOT_FOUND)$/); // waited for the start, or came after its failure was recorded
    expect(command.message).toMatch(/home\/sandbox/);

    const stream = await eventually(async () => {
      const events = await store.readStream(`sandbox-${sandboxId}`);
      return events.length >= 2 ? events : undefined;
    }, 10_000, 'SandboxFailed recorded');
    expect(stream.map((e) => e.type)).toEqual(['SandboxCreated', 'SandboxFailed']);
    expect(stream[1]!.data).toMatchObject({ sandboxId, requestId: (stream[0]!.data as { requestId: string }).requestId, code: 'SANDBOX_ENGINE_ERROR', reason: expect.stringMatching(/starting sandbox/) });

    // No container, no scratch workspace, a closed row; later commands are refused naming the failure.
    expect(await engine.listManaged({ sandboxId })).toEqual([]);
    expect(await fs.readdir(path.join(wsRoot, '.scratch')).catch(() => [])).toEqual([]);
    const row = await db.pool.query(`SELECT status, destroy_reason FROM sc_sandboxes WHERE sandbox_id = $1`, [sandboxId]);
    expect(row.rows).toEqual([{ status: 'destroyed', destroy_reason: 'start-failed' }]);
    await expect(failureOf(send('CommandRequested', { sandboxId, cmd: 'true' }))).resolves.toMatchObject({
      code: 'SANDBOX_NOT_FOUND',
      message: expect.stringMatching(/failed: .*starting sandbox/),
    });

    // The reaper (every 300 ms here) has nothing to add: no SandboxDestroyed "lost" for it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await store.readStream(`sandbox-${sandboxId}`)).map((e) => e.type)).toEqual(['SandboxCreated', 'SandboxFailed']);
  });
});
