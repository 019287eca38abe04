import { RunningService, eventually, startService } from '@swe-sim/testing';
import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

const LIMIT = 2;

/**
 * More simulations than SIMULATIONS_MAX_RUNNING: the rest wait queued and start as others end —
 * never more than the limit at once (counted from the log: each SimulationStarted against each
 * end, in position order), each started exactly once, fairly across projects, and all complete.
 * A queued one can be cancelled, and then never starts. With two instances of project-management,
 * the one deciding killed with SIGKILL mid-run, the other takes over with the same guarantees.
 */
describe(`at most SIMULATIONS_MAX_RUNNING (${LIMIT}) simulations at once`, () => {
  let stack: SimulationStack;
  let second: RunningService | undefined;

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json', { env: { SIMULATIONS_MAX_RUNNING: String(LIMIT) } });
  });
  afterAll(async () => {
    await second?.kill();
    await stack?.stop();
  });

  /** The instance the API is asked through (the second one once the first is killed). */
  let api = () => stack.pm.url;
  const get = async (path: string) => (await fetch(`${api()}${path}`)).json() as Promise<any>;
  const start = async (projectId: string, seed: number) => {
    const r = await fetch(`${api()}/projects/${projectId}/simulations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed, teams: 1, teamSize: 3, sprints: { max: 1 }, process: { pairing: true, review: true, swapEveryTurns: 2 } }),
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as any).simulationId as string;
  };
  const allFinished = (ids: string[]) => eventually(async () => {
    const sims = await Promise.all(ids.map((id) => get(`/simulations/${id}`)));
    return sims.every(finished) && sims;
  }, 150_000, 'every simulation finished');

  /** Starts and ends of these simulations in position order: how many ran at most at once, and the order they started in. */
  async function fromTheLog(ids: string[]) {
    const log = (
      await stack.db.pool.query(
        `SELECT type, data->>'simulationId' AS id FROM events
         WHERE type IN ('SimulationQueued', 'SimulationStarted', 'SimulationCompleted', 'SimulationFailed', 'SimulationCancelled') AND data->>'simulationId' = ANY($1)
         ORDER BY global_position`,
        [ids],
      )
    ).rows as { type: string; id: string }[];
    let running = 0;
    let peak = 0;
    const starts: string[] = [];
    const started = new Set<string>();
    for (const e of log) {
      if (e.type === 'SimulationStarted') {
        running++;
        starts.push(e.id);
        started.add(e.id);
      } else if (e.type !== 'SimulationQueued' && started.has(e.id)) running--;
      peak = Math.max(peak, running);
    }
    return { peak, starts, queued: log.filter((e) => e.type === 'SimulationQueued').length };
  }

  it('queues what is over the limit, starts each when one ends, and completes them all', async () => {
    const a = (await stack.post('/projects', twoModuleProject())).body.projectId;
    const b = (await stack.post('/projects', twoModuleProject())).body.projectId;
    // Project a asks for four, then project b for two.
    const ofA = [];
    for (let i = 0; i < 4; i++) ofA.push(await start(a, 11 + i));
    const ofB = [await start(b, 21), await start(b, 22)];
    const all = [...ofA, ...ofB];

    // One more, cancelled while it waits.
    const extra = await start(a, 99);
    const waiting = await stack.waitFor(extra, (s) => s.status === 'queued', 10_000);
    expect(waiting).toMatchObject({ status: 'queued', startedAt: null, queue: { position: expect.any(Number) } });
    expect(waiting.queue.position).toBeGreaterThanOrEqual(1);
    const listed = await get(`/simulations?projectId=${a}`);
    expect(listed.items.filter((s: any) => s.status === 'queued').length).toBeGreaterThanOrEqual(2);
    const cancelled = await stack.post(`/simulations/${extra}/cancel`, {});
    expect(cancelled.status).toBe(202);
    expect(await stack.waitFor(extra, (s) => s.status === 'cancelled', 10_000)).toMatchObject({ status: 'cancelled' });
    expect((await stack.post(`/simulations/${extra}/cancel`, {})).status).toBe(409);

    // While they run, the API never shows more than the limit running.
    let most = 0;
    const watching = (async () => {
      for (;;) {
        const page = await get('/simulations?limit=50');
        const statuses = page.items.map((s: any) => s.status);
        most = Math.max(most, statuses.filter((s: string) => !['queued', 'completed', 'failed', 'cancelled'].includes(s)).length);
        if (page.items.filter((s: any) => all.includes(s.simulationId)).every((s: any) => finished(s))) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    for (const id of all) expect(await stack.waitFor(id, finished, 150_000)).toMatchObject({ status: 'completed', metrics: { featuresDone: 2 } });
    await watching;
    expect(most).toBeLessThanOrEqual(LIMIT);

    // From the log: starts and ends in position order.
    const { peak, starts, queued } = await fromTheLog([...all, extra]);
    expect(peak).toBe(LIMIT);
    expect([...starts].sort()).toEqual([...all].sort()); // each exactly once; the cancelled one never
    expect(queued).toBe(all.length + 1);
    // Fair across projects: b's first goes before a's third, though a asked first.
    expect(starts.indexOf(ofB[0])).toBeLessThan(starts.indexOf(ofA[2]));
    expect(starts.slice(0, 2).sort()).toEqual(ofA.slice(0, 2).sort());
    expect((await stack.events(extra)).map((e) => e.type)).toEqual(['SimulationCancelled']);
  }, 200_000);

  it('holds with two instances when the one deciding is killed with SIGKILL mid-run', async () => {
    second = await startService('project-management', stack.env);
    const projectId = (await stack.post('/projects', twoModuleProject())).body.projectId;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await start(projectId, 31 + i));
    // Once the first ends, the slot it frees is being given: kill the instance whose subscription decides.
    await eventually(async () => (await stack.db.pool.query(`SELECT 1 FROM events WHERE type = 'SimulationCompleted' AND data->>'simulationId' = ANY($1)`, [ids])).rowCount! > 0, 90_000, 'one completed');
    await stack.pm.kill('SIGKILL');
    api = () => second!.url;
    const sims = await allFinished(ids);
    expect(sims.map((s: any) => s.status)).toEqual(ids.map(() => 'completed'));
    const { peak, starts } = await fromTheLog(ids);
    expect(peak).toBeLessThanOrEqual(LIMIT);
    expect([...starts].sort()).toEqual([...ids].sort());
  }, 200_000);
});
