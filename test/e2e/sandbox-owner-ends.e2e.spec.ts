import { testInstanceId } from '@swe-sim/testing';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CommandReply, simulationStream, taskStream } from '@swe-sim/contracts';
import { SandboxControlHarness } from '../support/sandbox-control-harness';

/**
 * The reaper removes a sandbox whose owner ended — its agent task ended or was suspended, its
 * simulation completed, failed or was cancelled — within one reaper interval, recording
 * SandboxDestroyed; sandboxes requested after the end (a resumed task or simulation, an exec in an
 * ended simulation's workspace) stay; and the same holds across a SIGKILL of sandbox-control.
 * The ends are appended to the store directly, as agent-execution and project-management do.
 */
describe('sandbox-control: sandboxes of ended tasks and simulations are reaped', () => {
  const runId = randomUUID().slice(0, 8);
  /** Short, so the test is fast; long enough against the slack below that a second interval would show. */
  const INTERVAL_MS = 2_500;
  /** Delivery of the end to sandbox-control's subscription, the pass's own work (halt, scan, record, remove) on a busy machine. */
  const SLACK_MS = 2_000;
  let sc: SandboxControlHarness;

  beforeAll(async () => {
    sc = await SandboxControlHarness.start({
      instanceId: testInstanceId('sc-owner'),
      env: { SUBSCRIPTION_POLL_MS: '200', SANDBOX_REAP_INTERVAL_MS: String(INTERVAL_MS) },
    });
  });

  afterAll(async () => {
    await sc?.stop();
  });

  const name = (sandboxId: string) => `swe-sim-sbx-${sandboxId}`;
  const running = (sandboxId: string) =>
    sc.engine.docker
      .getContainer(name(sandboxId))
      .inspect()
      .then((i) => i.State.Running, () => false);

  /** Milliseconds from `since` until none of these containers exists (fails past `limitMs`). */
  async function goneAfter(sandboxIds: string[], since: number, limitMs: number): Promise<number> {
    for (;;) {
      const left = (await Promise.all(sandboxIds.map(async (id) => ((await sc.containerExists(name(id))) ? id : null)))).filter(Boolean);
      const elapsed = Date.now() - since;
      if (left.length === 0) return elapsed;
      if (elapsed > limitMs) throw new Error(`containers still there ${elapsed} ms after their owner ended: ${left.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const destroyedAs = async (sandboxId: string) =>
    (await sc.store.readStream(`sandbox-${sandboxId}`)).filter((e) => e.type === 'SandboxDestroyed').map((e) => e.data);

  const request = (sandboxId: string, over: { ownerTaskId?: string; teamId?: string; simulationId?: string } = {}) => {
    const { simulationId, ...data } = over;
    return sc.send('SandboxRequested', { sandboxId, image: 'python', ...data }, simulationId ? { simulationId } : {});
  };

  const taskEnded = (taskId: string, simulationId = sc.simulationId) =>
    sc.store.append(
      taskStream(taskId),
      [{ type: 'AgentTaskEnded', data: { taskId, outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', reason: 'out of turns', turns: 3, promptTokens: 10, completionTokens: 5 } }],
      { metadata: { simulationId } },
    );
  const taskSuspended = (taskId: string, simulationId = sc.simulationId) =>
    sc.store.append(
      taskStream(taskId),
      [{ type: 'AgentTaskSuspended', data: { taskId, simulationId, step: 'sandbox', code: 'INFRASTRUCTURE_UNAVAILABLE', reason: 'docker down' } }],
      { metadata: { simulationId } },
    );
  const simulationEnded = (simulationId: string, type: 'SimulationCompleted' | 'SimulationFailed' | 'SimulationCancelled') => {
    const metrics = { featuresTotal: 0, featuresDone: 0, acceptanceTestsTotal: 0, acceptanceTestsPassed: 0, sprints: [], estimation: [], tokensByRole: {}, llmTimeMs: 0, sandboxTimeMs: 0, wallTimeMs: 0 };
    const data =
      type === 'SimulationCompleted'
        ? { simulationId, metrics }
        : type === 'SimulationFailed'
          ? { simulationId, code: 'INFRASTRUCTURE_UNAVAILABLE', reason: 'postgres restarted', resumable: true }
          : { simulationId, reason: 'user' };
    return sc.store.append(simulationStream(simulationId), [{ type, data }], { metadata: { simulationId } });
  };

  it('removes the sandboxes of an ended task and of a suspended one within one interval; others, and a resumed task’s new one, stay', async () => {
    const ended = `t-${runId}-ended`;
    const suspended = `t-${runId}-susp`;
    const other = `t-${runId}-other`;
    const a = `own-${runId}-a`; // ended task's, on the team workspace
    const b = `own-${runId}-b`; // ended task's second, scratch
    const c = `own-${runId}-c`; // suspended task's
    const keep1 = `own-${runId}-k1`; // another task's
    const keep2 = `own-${runId}-k2`; // no owner task
    await Promise.all([
      request(a, { ownerTaskId: ended, teamId: 'repo' }),
      request(b, { ownerTaskId: ended }),
      request(c, { ownerTaskId: suspended }),
      request(keep1, { ownerTaskId: other, teamId: 'repo' }),
      request(keep2, {}),
    ]);
    await sc.send<CommandReply>('CommandRequested', { sandboxId: a, cmd: 'echo kept > shared.txt' });

    const t0 = Date.now();
    await Promise.all([taskEnded(ended), taskSuspended(suspended)]);
    const ms = await goneAfter([a, b, c], t0, INTERVAL_MS + SLACK_MS);
    console.log(JSON.stringify({ test: 'task-ends', reapedAfterMs: ms, intervalMs: INTERVAL_MS }));

    expect(await destroyedAs(a)).toEqual([{ sandboxId: a, reason: 'owner-ended', requestId: null }]);
    expect(await destroyedAs(b)).toEqual([{ sandboxId: b, reason: 'owner-ended', requestId: null }]);
    expect(await destroyedAs(c)).toEqual([{ sandboxId: c, reason: 'owner-ended', requestId: null }]);
    // The simulation's repository workspace is shared by its tasks: it stays, with what the command wrote.
    expect(await fs.readFile(path.join(sc.wsRoot, sc.simulationId, 'repo', 'shared.txt'), 'utf8')).toBe('kept\n');

    // The suspended task is resumed and asks for a new sandbox: requested after the suspension, it stays.
    const resumed = `own-${runId}-c2`;
    await request(resumed, { ownerTaskId: suspended });
    await new Promise((r) => setTimeout(r, INTERVAL_MS + SLACK_MS));
    for (const id of [keep1, keep2, resumed]) expect(await running(id)).toBe(true);
    for (const id of [keep1, keep2, resumed]) expect(await destroyedAs(id)).toEqual([]);
    expect(await sc.send<CommandReply>('CommandRequested', { sandboxId: keep1, cmd: 'cat shared.txt' })).toMatchObject({ exitCode: 0, stdout: 'kept\n' });

    // It ends for good: its new sandbox goes too. Ending again (a re-delivery) changes nothing.
    const t1 = Date.now();
    await taskEnded(suspended);
    await goneAfter([resumed], t1, INTERVAL_MS + SLACK_MS);
    expect(await destroyedAs(resumed)).toEqual([{ sandboxId: resumed, reason: 'owner-ended', requestId: null }]);
    await taskEnded(ended);
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    expect(await destroyedAs(a)).toHaveLength(1);
    expect(await running(keep1)).toBe(true);

    await Promise.all([keep1, keep2].map((sandboxId) => sc.send('SandboxReleased', { sandboxId })));
  });

  it('removes every sandbox of a simulation that failed, completed or was cancelled within one interval; an exec after the end stays', async () => {
    const failed = randomUUID();
    const completed = randomUUID();
    const cancelled = randomUUID();
    const live = randomUUID();
    const f1 = `sim-${runId}-f1`;
    const f2 = `sim-${runId}-f2`;
    const d1 = `sim-${runId}-d1`;
    const x1 = `sim-${runId}-x1`;
    const l1 = `sim-${runId}-l1`;
    await Promise.all([
      request(f1, { simulationId: failed, teamId: 'repo', ownerTaskId: `${failed}.f1.s1` }),
      request(f2, { simulationId: failed }),
      request(d1, { simulationId: completed }),
      request(x1, { simulationId: cancelled, teamId: 'repo' }),
      request(l1, { simulationId: live, teamId: 'repo' }),
    ]);

    const t0 = Date.now();
    await Promise.all([simulationEnded(failed, 'SimulationFailed'), simulationEnded(completed, 'SimulationCompleted'), simulationEnded(cancelled, 'SimulationCancelled')]);
    const ms = await goneAfter([f1, f2, d1, x1], t0, INTERVAL_MS + SLACK_MS);
    console.log(JSON.stringify({ test: 'simulation-ends', reapedAfterMs: ms, intervalMs: INTERVAL_MS }));
    for (const id of [f1, f2, d1, x1]) expect(await destroyedAs(id)).toEqual([{ sandboxId: id, reason: 'simulation-ended', requestId: null }]);
    expect(await running(l1)).toBe(true);

    // After the end: an exec in the cancelled simulation's workspace (a one-shot on a copy) and a sandbox of
    // the failed simulation once resumed — both requested after the end, so the reaper leaves them be.
    const exec = sc.send<CommandReply>(
      'SandboxRunRequested',
      { sandboxId: `sim-${runId}-exec`, teamId: 'repo', workspace: 'copy', image: 'python', cmd: `sleep ${(INTERVAL_MS + SLACK_MS) / 1000}; echo done` },
      { simulationId: cancelled },
    );
    const again = `sim-${runId}-f3`;
    await request(again, { simulationId: failed });
    expect(await exec).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    expect(await destroyedAs(`sim-${runId}-exec`)).toEqual([expect.objectContaining({ reason: 'released' })]);
    expect(await running(again)).toBe(true);
    expect(await running(l1)).toBe(true);

    // The resumed simulation fails again: its new sandbox goes as well.
    const t1 = Date.now();
    await simulationEnded(failed, 'SimulationCancelled');
    await goneAfter([again], t1, INTERVAL_MS + SLACK_MS);
    expect(await destroyedAs(again)).toEqual([{ sandboxId: again, reason: 'simulation-ended', requestId: null }]);
    expect(await running(l1)).toBe(true);
    await sc.send('SandboxReleased', { sandboxId: l1 }, { simulationId: live });
  });

  it('removes, after a SIGKILL and restart, the containers whose owners ended while it was dead; adopts the others', async () => {
    const task = `t-${runId}-dead`;
    const sim = randomUUID();
    const byTask = `dead-${runId}-task`;
    const bySim = `dead-${runId}-sim`;
    const keep = `dead-${runId}-keep`;
    await Promise.all([request(byTask, { ownerTaskId: task, teamId: 'repo' }), request(bySim, { simulationId: sim }), request(keep, { ownerTaskId: `t-${runId}-alive` })]);

    await sc.killProcess();
    // While sandbox-control is dead the task asks for one more sandbox (answered only after the restart)…
    const late = `dead-${runId}-late`;
    const lateReply = request(late, { ownerTaskId: task });
    const requested = async () => (await sc.db.pool.query(`SELECT 1 FROM events WHERE type = 'SandboxRequested' AND data->>'sandboxId' = $1`, [late])).rowCount === 1;
    while (!(await requested())) await new Promise((r) => setTimeout(r, 20));
    // …then its owners end; the containers stay behind meanwhile.
    await Promise.all([taskEnded(task), simulationEnded(sim, 'SimulationCancelled')]);
    await new Promise((r) => setTimeout(r, 500));
    for (const id of [byTask, bySim, keep]) expect(await running(id)).toBe(true);

    await sc.startProcess();
    const t0 = Date.now();
    const ms = await goneAfter([byTask, bySim], t0, INTERVAL_MS + SLACK_MS);
    console.log(JSON.stringify({ test: 'after-restart', reapedAfterMs: ms, intervalMs: INTERVAL_MS }));
    expect(await destroyedAs(byTask)).toEqual([{ sandboxId: byTask, reason: 'owner-ended', requestId: null }]);
    expect(await destroyedAs(bySim)).toEqual([{ sandboxId: bySim, reason: 'simulation-ended', requestId: null }]);

    // The request made before the task's end but handled after the restart: its sandbox is made, then reaped.
    await lateReply;
    await goneAfter([late], Date.now(), INTERVAL_MS + SLACK_MS);
    expect(await destroyedAs(late)).toEqual([{ sandboxId: late, reason: 'owner-ended', requestId: null }]);

    // The sandbox of a task still running was adopted by the new process: it stays and works.
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    expect(await running(keep)).toBe(true);
    expect(await sc.send<CommandReply>('CommandRequested', { sandboxId: keep, cmd: 'echo alive' })).toMatchObject({ exitCode: 0, stdout: 'alive\n' });
    await sc.send('SandboxReleased', { sandboxId: keep });
  });
});
