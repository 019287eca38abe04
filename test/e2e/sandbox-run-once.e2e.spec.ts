import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { SandboxRunReply } from '@swe-sim/contracts';
import { eventually, testInstanceId } from '@swe-sim/testing';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';
import { failureOf, SandboxControlHarness } from '../support/sandbox-control-harness';

/** SandboxRunRequested: create + one command + destroy in one request; sandbox-control as its own process, real Postgres and Docker. */
describe('sandbox-control: one-shot sandboxes (SandboxRunRequested)', () => {
  const runId = randomUUID().slice(0, 8);
  let sc: SandboxControlHarness;

  const send = <T>(data: unknown, eventId?: string) => sc.send<T>('SandboxRunRequested', data, { eventId });
  const gone = (sandboxId: string) => eventually(async () => !(await sc.containerExists(`swe-sim-sbx-${sandboxId}`)), 15_000, `container of ${sandboxId} removed`);
  const streamOf = (sandboxId: string) => sc.store.readStream(`sandbox-${sandboxId}`);
  const requestIdOf = async (sandboxId: string) => ((await streamOf(sandboxId))[0]!.data as { requestId: string }).requestId;

  beforeAll(async () => {
    sc = await SandboxControlHarness.start({
      instanceId: testInstanceId('sc-once'),
      env: { SUBSCRIPTION_POLL_MS: '200', SANDBOX_REAP_INTERVAL_MS: '500' },
      client: { service: 'sandbox-run-once-test', requestTimeoutMs: 60_000, replyPollMs: 100 },
    });
  });

  afterAll(async () => {
    await sc?.stop();
  });

  it('creates a sandbox on the team workspace, runs the command, destroys it, and records the facts of the three steps', async () => {
    const sandboxId = `once-${runId}-team`;
    const reply = await send<SandboxRunReply>({ sandboxId, teamId: 'team-a', image: 'python', cmd: 'echo made > made.txt; python3 -c "print(6*7)"; echo warn >&2' });
    expect(reply).toEqual({
      sandboxId, exitCode: 0, stdout: '42\n', stderr: 'warn\n', truncated: false, durationMs: expect.any(Number),
      timedOut: false, oomKilled: false, pidsLimitHit: false, changedFiles: 1,
    });
    await expect(fs.readFile(path.join(sc.wsRoot, sc.simulationId, 'team-a', 'made.txt'), 'utf8')).resolves.toBe('made\n');
    await gone(sandboxId);

    const stream = await streamOf(sandboxId);
    expect(stream.map((e) => e.type)).toEqual(['SandboxCreated', 'CommandExecuted', 'WorkspaceChanged', 'SandboxDestroyed']);
    const requestId = (stream[0]!.data as { requestId: string }).requestId;
    expect(stream[0]!.data).toMatchObject({ workspaceId: `${sc.simulationId}/team-a`, teamId: 'team-a', imageKind: 'python', containerName: `swe-sim-sbx-${sandboxId}` });
    expect(stream[1]!.data).toMatchObject({ requestId, exitCode: 0, stdout: '42\n' });
    expect(stream[2]!.data).toMatchObject({ requestId, files: [{ path: 'made.txt', hash: expect.any(String) }] });
    expect(stream[3]!.data).toEqual({ sandboxId, reason: 'released', requestId });
    const request = await sc.store.readEvent(requestId);
    expect(request?.type).toBe('SandboxRunRequested');
    const rows = await sc.db.pool.query(`SELECT status FROM sc_sandboxes WHERE sandbox_id = $1`, [sandboxId]);
    expect(rows.rows).toEqual([{ status: 'destroyed' }]);
    const runs = await sc.db.pool.query(`SELECT outcome FROM sc_command_runs WHERE request_id = $1`, [requestId]);
    expect(runs.rows).toEqual([{ outcome: 'executed' }]);
  });

  it('answers a failing command with its exit code and output, and a scratch workspace goes with the sandbox', async () => {
    const sandboxId = `once-${runId}-scratch`;
    const reply = await send<SandboxRunReply>({ sandboxId, image: 'node', cmd: ['node', '-e', 'console.log(process.version); process.exit(3)'] });
    expect(reply).toMatchObject({ exitCode: 3, stdout: expect.stringMatching(/^v\d+/), changedFiles: 0 });
    await gone(sandboxId);
    expect((await streamOf(sandboxId)).map((e) => e.type)).toEqual(['SandboxCreated', 'CommandExecuted', 'SandboxDestroyed']);
    expect(await fs.readdir(path.join(sc.wsRoot, '.scratch')).catch(() => [])).toEqual([]);
  });

  it('kills a command at its timeout and still destroys the sandbox', async () => {
    const sandboxId = `once-${runId}-timeout`;
    const t0 = Date.now();
    const reply = await send<SandboxRunReply>({ sandboxId, image: 'python', cmd: 'echo begun; sleep 60', timeoutMs: 1_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(reply).toMatchObject({ timedOut: true, exitCode: 137, stdout: 'begun\n' });
    await gone(sandboxId);
    expect((await streamOf(sandboxId)).at(-1)!.data).toMatchObject({ reason: 'released' });
  });

  it('contains a fork bomb (pids limit) and has no network, as a sandbox of the three-request path', async () => {
    const bomb = await send<SandboxRunReply>({ sandboxId: `once-${runId}-bomb`, image: 'python', cmd: 'bomb() { bomb | bomb & bomb; }; bomb', timeoutMs: 4_000 });
    expect(bomb.pidsLimitHit).toBe(true);
    expect(bomb.exitCode).not.toBe(0);
    await gone(`once-${runId}-bomb`);

    const script = [
      'import socket',
      'for h, p in [("1.1.1.1", 80), ("151.101.2.132", 80)]:',
      '    try: socket.create_connection((h, p), timeout=2).close(); print("CONNECTED")',
      '    except OSError: print("failed")',
      'print(sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").read().splitlines()[2:]))',
    ].join('\n');
    const net = await send<SandboxRunReply>({ sandboxId: `once-${runId}-net`, image: 'python', cmd: ['python3', '-c', script], timeoutMs: 15_000 });
    expect(net.stdout).toBe("failed\nfailed\n['lo']\n");
    await gone(`once-${runId}-net`);
  });

  it('joins a re-sent request (same id): one sandbox, one command run, the same answer', async () => {
    const sandboxId = `once-${runId}-join`;
    const eventId = randomUUID();
    const data = { sandboxId, teamId: 'team-j', image: 'python', cmd: 'echo x >> runs.txt; wc -l < runs.txt' };
    // Another caller (e.g. the first one's process restarted) re-sends the same request meanwhile; then again after the answer.
    const other = new EventStoreClient({ store: sc.store, connection: { connectionString: sc.db.url }, service: 'sandbox-run-once-test-2', requestTimeoutMs: 60_000, replyPollMs: 100 });
    await other.connect();
    let b: SandboxRunReply;
    let a: SandboxRunReply;
    try {
      [a, b] = await Promise.all([
        send<SandboxRunReply>(data, eventId),
        lastValueFrom(other.send<SandboxRunReply>('SandboxRunRequested', new EventRecord(data, { metadata: { simulationId: sc.simulationId }, eventId }))),
      ]);
    } finally {
      await other.close();
    }
    const c = await send<SandboxRunReply>(data, eventId);
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(a.stdout).toBe('1\n');
    expect(await fs.readFile(path.join(sc.wsRoot, sc.simulationId, 'team-j', 'runs.txt'), 'utf8')).toBe('x\n');
    expect((await streamOf(sandboxId)).filter((e) => e.type === 'CommandExecuted')).toHaveLength(1);
  });

  it('refuses a sandbox id already used, and bad input with a clear code', async () => {
    const sandboxId = `once-${runId}-twice`;
    await send<SandboxRunReply>({ sandboxId, image: 'python', cmd: 'true' });
    expect(await failureOf(send({ sandboxId, image: 'python', cmd: 'true' }))).toMatchObject({ code: 'SANDBOX_DESTROYED' });
    expect(await failureOf(send({ sandboxId: `once-${runId}-bad`, image: 'cobol', cmd: 'true' }))).toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    expect(await failureOf(send({ sandboxId: `once-${runId}-bad`, image: 'python' }))).toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    expect(await failureOf(send({ sandboxId: `once-${runId}-big`, image: 'python', cmd: 'true', limits: { memoryBytes: 64 * 1024 * 1024 * 1024 } })))
      .toMatchObject({ code: 'SANDBOX_LIMITS_EXCEEDED' });
    expect(await sc.containerExists(`swe-sim-sbx-once-${runId}-big`)).toBe(false);
  });

  it('after a SIGKILL mid-run: the container is reaped, the request answered (not lost) and the command not run again', async () => {
    const sandboxId = `once-${runId}-crash`;
    const workspace = path.join(sc.wsRoot, sc.simulationId, 'team-c');
    const pending = failureOf(send({ sandboxId, teamId: 'team-c', image: 'python', cmd: 'echo started >> log.txt; sleep 120', timeoutMs: 300_000 }));
    await eventually(async () => (await fs.readFile(path.join(workspace, 'log.txt'), 'utf8').catch(() => '')) === 'started\n', 20_000, 'command started');
    const requestId = await requestIdOf(sandboxId);

    await sc.killProcess();
    await sc.startProcess();
    expect(await pending).toMatchObject({ code: 'SANDBOX_DESTROYED' }); // the same send() got its answer
    await gone(sandboxId);

    const stream = await streamOf(sandboxId);
    expect(stream.map((e) => e.type)).toEqual(['SandboxCreated', 'WorkspaceChanged', 'SandboxDestroyed']);
    expect(stream[2]!.data).toEqual({ sandboxId, reason: 'interrupted', requestId });
    expect(await fs.readFile(path.join(workspace, 'log.txt'), 'utf8')).toBe('started\n'); // not run twice
    const replies = await sc.db.pool.query(`SELECT data FROM events WHERE type = 'RpcReplied' AND data->>'requestId' = $1`, [requestId]);
    expect(replies.rows.map((r) => r.data.error?.code)).toEqual(['SANDBOX_DESTROYED']);
  });

  it('after a SIGKILL between the recorded result and the reply: answers the recorded result without running the command again', async () => {
    const sandboxId = `once-${runId}-replay`;
    const workspace = path.join(sc.wsRoot, sc.simulationId, 'team-r');
    const pending = send<SandboxRunReply>({ sandboxId, teamId: 'team-r', image: 'python', cmd: 'echo ran >> log.txt; sleep 1; echo out' });
    // Hold the request's inbox row: the reply (RpcReplied + the row marked done, one transaction) waits on it.
    const holder = await sc.db.pool.connect();
    try {
      await eventually(async () => (await streamOf(sandboxId)).length > 0, 20_000, 'sandbox recorded'); // the attempt is counted by then
      const requestId = await requestIdOf(sandboxId);
      await holder.query('BEGIN');
      const held = await holder.query(`SELECT 1 FROM transport_inbox WHERE service = 'sandbox-control' AND request_id = $1 FOR UPDATE`, [requestId]);
      expect(held.rowCount).toBe(1);
      await eventually(async () => (await streamOf(sandboxId)).some((e) => e.type === 'SandboxDestroyed'), 20_000, 'result recorded');
      await new Promise((r) => setTimeout(r, 300)); // the reply reaches the held row
      await sc.killProcess();
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    const requestId = await requestIdOf(sandboxId);
    const replied = await sc.db.pool.query(`SELECT 1 FROM events WHERE type = 'RpcReplied' AND data->>'requestId' = $1`, [requestId]);
    expect(replied.rowCount).toBe(0);

    await sc.startProcess();
    const answer = await pending;
    expect(answer).toMatchObject({ sandboxId, exitCode: 0, stdout: 'out\n', changedFiles: 1, timedOut: false });
    await gone(sandboxId);
    expect(await fs.readFile(path.join(workspace, 'log.txt'), 'utf8')).toBe('ran\n');
    const stream = await streamOf(sandboxId);
    expect(stream.map((e) => e.type)).toEqual(['SandboxCreated', 'CommandExecuted', 'WorkspaceChanged', 'SandboxDestroyed']);
    expect(stream[3]!.data).toEqual({ sandboxId, reason: 'released', requestId });
  });
});
