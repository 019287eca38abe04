import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createEventRegistry, defineEvent } from '@swe-sim/contracts';
import { createTestDatabase, eventually, TestDatabase } from '@swe-sim/testing';
import { EventStore, Subscription, SubscriptionHandler } from './index';

const Ticked = defineEvent({ type: 'TestTicked', version: 1, schema: z.object({ n: z.number().int() }).strict() });
const Echoed = defineEvent({ type: 'TestEchoed', version: 1, schema: z.object({ n: z.number().int() }).strict() });
const registry = createEventRegistry([Ticked, Echoed]);

describe(Subscription.name, () => {
  let db: TestDatabase;
  let store: EventStore;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry });
    await db.pool.query('CREATE TABLE effects (event_id uuid NOT NULL, instance text NOT NULL)');
  });
  afterEach(async () => {
    await Promise.all(subs.splice(0).map((s) => s.stop()));
    await db.pool.query('TRUNCATE effects');
  });
  afterAll(() => db.drop());

  const effects = async () => (await db.pool.query('SELECT event_id, instance FROM effects')).rows;
  // Every subscription reads the whole log from the start; each test counts only its own stream.
  const recordEffect =
    (instance: string, stream?: string): SubscriptionHandler =>
    async (event, ctx) => {
      if (stream && event.streamId !== stream) return;
      await ctx.tx.query('INSERT INTO effects (event_id, instance) VALUES ($1, $2)', [event.id, instance]);
    };
  const subscribe = (name: string, handler: SubscriptionHandler, extra: Partial<ConstructorParameters<typeof Subscription>[2]> = {}) => {
    const s = new Subscription(store, { connectionString: db.url }, { name, handler, types: ['TestTicked'], lockRetryMs: 100, ...extra });
    subs.push(s);
    s.start();
    return s;
  };
  const tick = (stream: string, ns: number[]) => store.append(stream, ns.map((n) => ({ type: 'TestTicked', data: { n } })));

  it('catches up from the start, then follows live appends, each event handled once', async () => {
    const stream = `t-${randomUUID()}`;
    await tick(stream, [1, 2, 3]);
    const sut = subscribe(`catch-up-${randomUUID()}`, recordEffect('a', stream));
    await eventually(async () => (await effects()).length === 3);
    await tick(stream, [4]);
    await tick(stream, [5, 6]);
    await eventually(async () => (await effects()).length === 6);
    const ids = (await effects()).map((r) => r.event_id);
    expect(new Set(ids).size).toBe(6);
    expect(sut.status().active).toBe(true);
    expect(await sut.lag()).toBe(0);
  });

  it('reads events held back behind an open transaction soon after it ends, though nothing wakes it', async () => {
    const stream = `t-${randomUUID()}`;
    const sut = subscribe(`held-${randomUUID()}`, recordEffect('a', stream), { pollIntervalMs: 60_000 });
    await eventually(async () => sut.status().active);
    // An older transaction with an xid stays open (it never appends: no NOTIFY when it ends).
    const older = await db.pool.connect();
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()');
      await tick(stream, [1]); // committed and NOTIFY'd, but not readable while `older` is open
      await new Promise((r) => setTimeout(r, 300));
      expect(await effects()).toHaveLength(0);
      expect((await store.readAll({ types: ['TestTicked'] })).heldBack).toBe(true);
      await older.query('ROLLBACK');
    } finally {
      older.release();
    }
    const ended = Date.now();
    await eventually(async () => (await effects()).length === 1, 5_000);
    expect(Date.now() - ended).toBeLessThan(2_000); // the backoff, far below the 60 s poll
    expect((await store.readAll({ types: ['TestTicked'] })).heldBack).toBe(false);
  });

  it('moves its checkpoint past a long run of transactions with none of its types, and still handles the next one', async () => {
    const stream = `t-${randomUUID()}`;
    const sut = subscribe(`skip-${randomUUID()}`, recordEffect('a', stream), { pollIntervalMs: 50 });
    await tick(stream, [1]);
    await eventually(async () => (await effects()).length === 1);
    const handledAt = BigInt(sut.status().checkpoint!.transactionId);
    // 1100 committed transactions with no TestTicked (one statement: COMMIT inside DO ends each).
    await db.pool.query('DO $$ BEGIN FOR i IN 1..1100 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$');
    await eventually(async () => BigInt(sut.status().checkpoint!.transactionId) - handledAt >= 1000n);
    const stored = await db.pool.query('SELECT last_transaction_id::text AS tx, last_position FROM subscription_checkpoints WHERE name = $1', [sut.name]);
    expect(stored.rows[0]).toEqual({ tx: sut.status().checkpoint!.transactionId, last_position: '0' });
    await tick(stream, [2]);
    await eventually(async () => (await effects()).length === 2);
    expect(await sut.lag()).toBe(0);
  });

  it('commits what the handler appends with the checkpoint, carrying correlation and causation', async () => {
    const stream = `t-${randomUUID()}`;
    const name = `echo-${randomUUID()}`;
    subscribe(name, async (event, ctx) => {
      if (event.streamId !== stream) return;
      await ctx.append(`echo-${event.id}`, [{ type: 'TestEchoed', data: { n: (event.data as any).n } }], { expectedVersion: 'no_stream' });
    });
    const { events } = await tick(stream, [7]);
    await eventually(async () => (await store.readStream(`echo-${events[0].id}`)).length === 1);
    const [echo] = await store.readStream(`echo-${events[0].id}`);
    expect(echo.metadata).toMatchObject({ causationId: events[0].id, correlationId: events[0].metadata.correlationId, actor: name });
  });

  it('is woken by appends of its types, also those a handler makes in its batch (no poll needed), and not by others', async () => {
    const stream = `t-${randomUUID()}`;
    const echoes = `echoes-${randomUUID()}`;
    let reads = 0;
    // Both poll once a minute: within the test, only wake-ups can move them.
    subscribe(`ticks-${randomUUID()}`, async (event, ctx) => {
      if (event.streamId === stream) await ctx.append(echoes, [{ type: 'TestEchoed', data: { n: (event.data as any).n } }]);
    }, { pollIntervalMs: 60_000 });
    const echoed = subscribe(`echoed-${randomUUID()}`, recordEffect('e', echoes), { pollIntervalMs: 60_000, types: ['TestEchoed'] });
    await eventually(async () => echoed.status().active && (await echoed.lag()) === 0);
    const spy = jest.spyOn(store, 'readAll').mockImplementation(function (this: EventStore, ...args) {
      if (args[1] && (args[0]?.types ?? []).includes('TestEchoed')) reads++;
      return EventStore.prototype.readAll.apply(this, args);
    });
    try {
      for (let i = 0; i < 5; i++) {
        await tick(`other-${randomUUID()}`, [i]); // TestTicked only: the TestEchoed reader stays asleep
        await new Promise((r) => setTimeout(r, 20)); // (each its own NOTIFY, not coalesced)
      }
      await tick(stream, [8]);
      await eventually(async () => (await effects()).length === 1, 5000);
      // One read for the echo (and perhaps one more that found the batch already done), none for the other ticks.
      expect(reads).toBeLessThanOrEqual(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('retries a failing event, then parks it as a dead letter and goes on', async () => {
    const stream = `t-${randomUUID()}`;
    const failures: Record<number, number> = {};
    const sut = subscribe(
      `flaky-${randomUUID()}`,
      async (event, ctx) => {
        if (event.streamId !== stream) return;
        const n = (event.data as any).n;
        failures[n] = (failures[n] ?? 0) + 1;
        if (n === 2 && failures[n] <= 2) throw new Error('transient');
        if (n === 3) throw new Error('poison');
        await recordEffect('a')(event, ctx);
      },
      { maxAttempts: 3, batchSize: 10 },
    );
    await tick(stream, [1, 2, 3, 4]);
    await eventually(async () => (await effects()).length === 3);
    const handled = await db.pool.query(
      "SELECT (e.data->>'n')::int AS n FROM effects f JOIN events e ON e.event_id = f.event_id ORDER BY n",
    );
    expect(handled.rows.map((r) => r.n)).toEqual([1, 2, 4]);
    const dead = await db.pool.query('SELECT error, attempts FROM subscription_dead_letters WHERE subscription = $1', [sut.name]);
    expect(dead.rows).toHaveLength(1);
    expect(dead.rows[0].error).toContain('poison');
    expect(dead.rows[0].attempts).toBe(3);
    expect(await sut.deadLetters()).toBe(1);
  });

  it('lets only one of two instances handle events, and hands over when the active one goes', async () => {
    const name = `shared-${randomUUID()}`;
    const stream = `t-${randomUUID()}`;
    const a = subscribe(name, recordEffect('a', stream), { batchSize: 7 });
    const b = subscribe(name, recordEffect('b', stream), { batchSize: 7 });
    for (let i = 0; i < 20; i++) await tick(stream, [i * 5, i * 5 + 1, i * 5 + 2, i * 5 + 3, i * 5 + 4]);
    await eventually(async () => (await effects()).length >= 100);
    expect([a.isActive(), b.isActive()].filter(Boolean)).toHaveLength(1);
    const active = a.isActive() ? a : b;
    const standby = active === a ? b : a;
    await active.stop();
    await tick(stream, [100, 101, 102]);
    await eventually(async () => (await effects()).length >= 103);
    expect(standby.isActive()).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // a double-handling would show up by now
    const rows = await effects();
    expect(rows).toHaveLength(103);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(103);
  });
});
