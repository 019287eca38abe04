import { randomUUID } from 'node:crypto';
import { CommandReply } from '@swe-sim/contracts';
import { eventually, testInstanceId } from '@swe-sim/testing';
import { stickyDockerProxy } from '../../apps/sandbox-control/src/docker/sandbox-test-support';
import { failureOf, SandboxControlHarness } from '../support/sandbox-control-harness';

/**
 * A sandbox goes while a command runs in it — its container removed or killed by someone else, its
 * TTL passed (the reaper), released: the command's `sleep 300` (time-out 300 s) is answered
 * SANDBOX_DESTROYED within seconds, its run row is closed, and SandboxDestroyed is recorded once.
 * sandbox-control talks to Docker through a proxy that never passes on the end of a stream, as
 * Docker has been seen to keep an exec's stream open after its container was removed: only
 * sandbox-control's own watch of the container can end the command.
 */
describe('sandbox-control: a command whose sandbox goes from under it', () => {
  const runId = randomUUID().slice(0, 8);
  let proxy: Awaited<ReturnType<typeof stickyDockerProxy>>;
  /** Reaper passes far apart: an end seen within seconds is sandbox-control's watch of the container, not a pass. */
  let sc: SandboxControlHarness;
  /** Reaper passes every second, for the TTL. */
  let fast: SandboxControlHarness;

  beforeAll(async () => {
    proxy = await stickyDockerProxy();
    const hosts = `unix://${proxy.socketPath}`;
    [sc, fast] = await Promise.all([
      SandboxControlHarness.start({
        instanceId: testInstanceId('sc-gone'),
        env: { SUBSCRIPTION_POLL_MS: '200', SANDBOX_REAP_INTERVAL_MS: '60000', SANDBOX_DOCKER_HOSTS: hosts },
        client: { requestTimeoutMs: 60_000 },
      }),
      SandboxControlHarness.start({
        instanceId: testInstanceId('sc-gone-ttl'),
        env: { SUBSCRIPTION_POLL_MS: '200', SANDBOX_REAP_INTERVAL_MS: '1000', SANDBOX_DOCKER_HOSTS: hosts },
        client: { requestTimeoutMs: 60_000 },
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([sc?.stop(), fast?.stop()]);
    await proxy?.close();
  });

  const name = (sandboxId: string) => `swe-sim-sbx-${sandboxId}`;
  const destroyedAs = async (h: SandboxControlHarness, sandboxId: string) =>
    (await h.store.readStream(`sandbox-${sandboxId}`)).filter((e) => e.type === 'SandboxDestroyed').map((e) => e.data);
  const runsOf = async (h: SandboxControlHarness, sandboxId: string) =>
    (await h.db.pool.query(`SELECT request_id, finished_at, outcome FROM sc_command_runs WHERE sandbox_id = $1`, [sandboxId])).rows as Array<{
      request_id: string;
      finished_at: Date | null;
      outcome: string | null;
    }>;

  /** Starts `sleep 300` (time-out 300 s) in the sandbox; resolves once it runs, with its answer to come (wrapped: not awaited here). */
  async function longCommand(h: SandboxControlHarness, sandboxId: string) {
    const answer = failureOf(h.send<CommandReply>('CommandRequested', { sandboxId, cmd: 'sleep 300', timeoutMs: 300_000 }));
    await eventually(async () => (await runsOf(h, sandboxId)).length === 1, 10_000, 'run row open');
    await eventually(
      async () => ((await h.engine.docker.getContainer(name(sandboxId)).top().catch(() => ({ Processes: [] }))).Processes ?? []).some((p: string[]) => p.join(' ').includes('sleep 300')),
      10_000,
      'sleep running',
    );
    return { answer, requestId: (await runsOf(h, sandboxId))[0]!.request_id };
  }

  /** What every case checks after the answer: SandboxDestroyed once, no CommandExecuted, the run row closed, the sandbox refused after. */
  async function expectDestroyedOnce(h: SandboxControlHarness, sandboxId: string, destroyed: Record<string, unknown>) {
    expect(await destroyedAs(h, sandboxId)).toEqual([{ sandboxId, ...destroyed }]);
    expect((await h.store.readStream(`sandbox-${sandboxId}`)).map((e) => e.type)).not.toContain('CommandExecuted');
    expect(await runsOf(h, sandboxId)).toEqual([expect.objectContaining({ finished_at: expect.any(Date), outcome: 'destroyed' })]);
    await expect(h.send('CommandRequested', { sandboxId, cmd: 'true' })).rejects.toMatchObject({ code: 'SANDBOX_DESTROYED' });
    await eventually(async () => !(await h.containerExists(name(sandboxId))), 10_000, 'container removed');
  }

  it('answers SANDBOX_DESTROYED within seconds when the container is force-removed by someone else', async () => {
    const sandboxId = `gone-${runId}-rm`;
    await sc.send('SandboxRequested', { sandboxId, image: 'python' });
    const { answer, requestId } = await longCommand(sc, sandboxId);

    const t0 = Date.now();
    await sc.engine.docker.getContainer(name(sandboxId)).remove({ force: true });
    const failure = await answer;
    const ms = Date.now() - t0;
    console.log(JSON.stringify({ test: 'container-removed', answeredAfterMs: ms }));
    expect(failure).toMatchObject({ code: 'SANDBOX_DESTROYED' });
    expect(ms).toBeLessThan(3_000);
    await expectDestroyedOnce(sc, sandboxId, { reason: 'lost', requestId });
  });

  it('the same when the container is killed (it stays, stopped, until removed)', async () => {
    const sandboxId = `gone-${runId}-kill`;
    await sc.send('SandboxRequested', { sandboxId, teamId: 'repo', image: 'python' });
    const { answer, requestId } = await longCommand(sc, sandboxId);

    const t0 = Date.now();
    await sc.engine.docker.getContainer(name(sandboxId)).kill();
    const failure = await answer;
    const ms = Date.now() - t0;
    console.log(JSON.stringify({ test: 'container-killed', answeredAfterMs: ms }));
    expect(failure).toMatchObject({ code: 'SANDBOX_DESTROYED' });
    expect(ms).toBeLessThan(3_000);
    await expectDestroyedOnce(sc, sandboxId, { reason: 'lost', requestId });
  });

  it('the same when the sandbox is released while the command runs', async () => {
    const sandboxId = `gone-${runId}-rel`;
    await sc.send('SandboxRequested', { sandboxId, image: 'python' });
    const { answer } = await longCommand(sc, sandboxId);

    const t0 = Date.now();
    await sc.send('SandboxReleased', { sandboxId });
    const failure = await answer;
    const ms = Date.now() - t0;
    console.log(JSON.stringify({ test: 'released', answeredAfterMs: ms }));
    expect(failure).toMatchObject({ code: 'SANDBOX_DESTROYED' });
    expect(ms).toBeLessThan(3_000);
    await expectDestroyedOnce(sc, sandboxId, { reason: 'released', requestId: expect.any(String) });
  });

  it('the same when the reaper destroys the sandbox (TTL passed) while the command runs', async () => {
    const sandboxId = `gone-${runId}-ttl`;
    await fast.send('SandboxRequested', { sandboxId, image: 'python', ttlMs: 4_000 });
    const { answer } = await longCommand(fast, sandboxId);
    const failure = await answer;
    const answeredAt = Date.now();
    // The halted command's answer may be written before the reaper's SandboxDestroyed commits (it
    // scans the workspace first): wait for the event, then compare the times.
    const destroyedAt = await eventually(
      async () => (await fast.db.pool.query(`SELECT recorded_at FROM events WHERE type = 'SandboxDestroyed' AND data->>'sandboxId' = $1`, [sandboxId])).rows[0]?.recorded_at as Date | undefined,
      10_000,
      'SandboxDestroyed recorded',
    );
    const ms = answeredAt - destroyedAt.getTime();
    console.log(JSON.stringify({ test: 'ttl-expired', answeredAfterDestroyMs: ms }));
    expect(failure).toMatchObject({ code: 'SANDBOX_DESTROYED' });
    expect(ms).toBeLessThan(3_000);
    await expectDestroyedOnce(fast, sandboxId, { reason: 'expired', requestId: null });
  });
});
