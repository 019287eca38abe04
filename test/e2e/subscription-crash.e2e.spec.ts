import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, eventually, RunningProcess, startProcess, TestDatabase } from '@swe-sim/testing';
import { TEST_EVENTS } from '../fixtures/test-events';

/** Subscribers as real processes, killed with SIGKILL: nothing lost, nothing applied twice. */
describe('subscription under SIGKILL and with several instances', () => {
  let db: TestDatabase;
  let store: EventStore;
  const procs: RunningProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry(TEST_EVENTS) });
    await db.pool.query('CREATE TABLE effects (event_id uuid NOT NULL, instance text NOT NULL)');
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
  });
  afterAll(() => db.drop());

  const subscriber = (name: string, instance: string, delayMs = 2) => {
    const p = startProcess('test/fixtures/counting-subscriber.js', {
      DATABASE_URL: db.url,
      SUBSCRIPTION_NAME: name,
      INSTANCE: instance,
      HANDLE_DELAY_MS: String(delayMs),
      BATCH_SIZE: '50',
      STREAM: name,
    });
    procs.push(p);
    return p;
  };
  const effects = async (name: string) =>
    (await db.pool.query('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM effects WHERE instance LIKE $1', [`${name}%`]))
      .rows[0] as { n: number; d: number };
  const tick = async (stream: string, from: number, count: number) => {
    for (let i = 0; i < count; i += 100) {
      const ns = Array.from({ length: Math.min(100, count - i) }, (_, k) => from + i + k);
      await store.append(stream, ns.map((n) => ({ type: 'TestTicked', data: { n } })));
    }
  };

  it('resumes after SIGKILL in the middle of a batch with no event lost and none handled twice', async () => {
    await tick('crash', 0, 1000);
    const first = subscriber('crash', 'crash-1');
    // Kill mid-batch: while the handler is between effects of an uncommitted batch.
    await eventually(async () => (await effects('crash')).n >= 200, 20_000, '200 effects');
    await first.kill('SIGKILL');
    const afterKill = await effects('crash');
    expect(afterKill.n % 50).toBe(0); // only whole batches committed; the interrupted one rolled back
    await new Promise((r) => setTimeout(r, 200));
    expect((await effects('crash')).n).toBe(afterKill.n);
    expect(afterKill.n).toBeLessThan(1000);

    subscriber('crash', 'crash-2');
    await eventually(async () => (await effects('crash')).n >= 1000, 30_000, 'all effects');
    await new Promise((r) => setTimeout(r, 300));
    expect(await effects('crash')).toEqual({ n: 1000, d: 1000 });
  });

  it('lets only one of two instances handle events, and the other takes over when it is killed', async () => {
    const a = subscriber('pair', 'pair-a', 1);
    const b = subscriber('pair', 'pair-b', 1);
    await eventually(async () => a.output().includes('ready') && b.output().includes('ready'));
    await tick('pair', 0, 300);
    await eventually(async () => (await effects('pair')).n >= 300, 20_000, 'first 300');
    const owners = await db.pool.query(`SELECT DISTINCT instance FROM effects WHERE instance LIKE 'pair%'`);
    expect(owners.rows).toHaveLength(1);
    const active = owners.rows[0].instance === 'pair-a' ? a : b;
    await active.kill('SIGKILL');
    await tick('pair', 300, 300);
    await eventually(async () => (await effects('pair')).n >= 600, 20_000, 'all 600');
    await new Promise((r) => setTimeout(r, 300));
    expect(await effects('pair')).toEqual({ n: 600, d: 600 });
    const after = await db.pool.query(`SELECT DISTINCT instance FROM effects WHERE instance LIKE 'pair%' ORDER BY instance`);
    expect(after.rows.map((r) => r.instance)).toEqual(['pair-a', 'pair-b']);
  });
});
