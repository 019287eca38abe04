import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createEventRegistry, defineEvent } from '@swe-sim/contracts';
import { createTestDatabase, eventually, TestDatabase } from '@swe-sim/testing';
import { Client } from 'pg';
import { ConcurrencyError, EVENTS_CHANNEL, EventStore, EventTooLargeError, START, wakesFor } from './index';

const Noted = defineEvent({ type: 'TestNoted', version: 1, schema: z.object({ n: z.number().int(), note: z.string().optional() }).strict() });
const Other = defineEvent({ type: 'TestOther', version: 1, schema: z.object({ n: z.number().int() }).strict() });
const registry = createEventRegistry([Noted, Other]);
const noted = (n: number) => ({ type: 'TestNoted', data: { n } });

describe(EventStore.name, () => {
  let db: TestDatabase;
  let sut: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = new EventStore(db.pool, { registry, maxEventBytes: 1024 });
  });
  afterAll(() => db.drop());

  const count = async () => Number((await db.pool.query('SELECT count(*) FROM events')).rows[0].count);

  describe('append', () => {
    it('numbers a batch consecutively in its stream and returns the stored events', async () => {
      const s = `s-${randomUUID()}`;
      const r = await sut.append(s, [noted(1), noted(2), noted(3)], { expectedVersion: 'no_stream' });
      expect(r.nextVersion).toBe(3);
      expect(r.events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
      const read = await sut.readStream(s);
      expect(read.map((e) => (e.data as any).n)).toEqual([1, 2, 3]);
      expect(read[0].metadata.correlationId).toBe(read[0].id);
      expect(read[1].globalPosition).toBeGreaterThan(read[0].globalPosition);
    });

    it('checks each kind of expected version and writes nothing on a mismatch', async () => {
      const s = `s-${randomUUID()}`;
      await expect(sut.append(s, [noted(1)], { expectedVersion: 'exists' })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(sut.append(s, [noted(1)], { expectedVersion: 2 })).rejects.toBeInstanceOf(ConcurrencyError);
      await sut.append(s, [noted(1)], { expectedVersion: 'no_stream' });
      await expect(sut.append(s, [noted(2)], { expectedVersion: 'no_stream' })).rejects.toMatchObject({
        code: 'STREAM_VERSION_CONFLICT',
        actual: 1,
      });
      const before = await count();
      await expect(sut.append(s, [noted(2), noted(3)], { expectedVersion: 0 })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await count()).toBe(before);
      await sut.append(s, [noted(2)], { expectedVersion: 1 });
      await sut.append(s, [noted(3)], { expectedVersion: 'exists' });
      await sut.append(s, [noted(4)], { expectedVersion: 'any' });
      expect(await sut.streamVersion(s)).toBe(4);
      expect((await sut.readStream(s, { fromVersion: 2, toVersion: 3 })).map((e) => e.streamVersion)).toEqual([2, 3]);
    });

    it('lets exactly one of two concurrent appenders with the same expected version win', async () => {
      for (let round = 0; round < 20; round++) {
        const s = `race-${randomUUID()}`;
        await sut.append(s, [noted(0)], { expectedVersion: 'no_stream' });
        const results = await Promise.allSettled([
          sut.append(s, [noted(1), noted(2)], { expectedVersion: 1 }),
          sut.append(s, [noted(3)], { expectedVersion: 1 }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(ConcurrencyError);
        const versions = (await sut.readStream(s)).map((e) => e.streamVersion);
        expect(versions).toEqual(versions.length === 3 ? [1, 2, 3] : [1, 2]);
      }
    });

    it('refuses a schema-invalid payload naming the field, and writes none of the batch', async () => {
      const s = `s-${randomUUID()}`;
      const before = await count();
      await expect(sut.append(s, [noted(1), { type: 'TestNoted', data: { n: 'two' } }])).rejects.toMatchObject({
        code: 'EVENT_SCHEMA_INVALID',
        field: 'n',
      });
      await expect(sut.append(s, [{ type: 'TestNoted', data: { n: 1, extra: true } }])).rejects.toMatchObject({
        code: 'EVENT_SCHEMA_INVALID',
      });
      expect(await count()).toBe(before);
    });

    it('refuses unknown types, oversized payloads, bad metadata and duplicate ids', async () => {
      const s = `s-${randomUUID()}`;
      await expect(sut.append(s, [{ type: 'NoSuchEvent', data: {} }])).rejects.toMatchObject({ code: 'EVENT_TYPE_UNKNOWN' });
      await expect(sut.append(s, [{ type: 'TestNoted', data: { n: 1, note: 'x'.repeat(2000) } }])).rejects.toBeInstanceOf(
        EventTooLargeError,
      );
      await expect(sut.append(s, [noted(1)], { metadata: { simulationId: 'not-a-uuid' } })).rejects.toMatchObject({
        code: 'EVENT_SCHEMA_INVALID',
        field: 'metadata.simulationId',
      });
      const id = randomUUID();
      await sut.append(s, [{ ...noted(1), id }]);
      await expect(sut.append(s, [{ ...noted(2), id }])).rejects.toMatchObject({ code: 'EVENT_DUPLICATE' });
      expect(await sut.streamVersion(s)).toBe(1);
    });
  });

  describe('readAll', () => {
    it('never passes a transaction that commits late: waits for it, then yields both once, in commit-safe order', async () => {
      const { events: existing } = await sut.readAll({ limit: 100_000 });
      const start = existing.length
        ? { transactionId: existing.at(-1)!.transactionId, position: existing.at(-1)!.globalPosition }
        : START;

      const txA = await db.pool.connect();
      await txA.query('BEGIN');
      const a = await sut.append('ooo-a', [noted(1)], {}, txA); // takes a position, stays open
      const b = await sut.append('ooo-b', [noted(2)]); // a later position, committed first
      expect(b.events[0].globalPosition).toBeGreaterThan(a.events[0].globalPosition);

      const whileOpen = await sut.readAll({ after: start });
      expect(whileOpen.events.map((e) => e.id)).not.toContain(b.events[0].id);
      expect(whileOpen.events.map((e) => e.id)).not.toContain(a.events[0].id);

      await txA.query('COMMIT');
      txA.release();
      const afterCommit = await sut.readAll({ after: start });
      expect(afterCommit.events.map((e) => e.id)).toEqual([a.events[0].id, b.events[0].id]);
      const last = afterCommit.events.at(-1)!;
      const again = await sut.readAll({ after: { transactionId: last.transactionId, position: last.globalPosition } });
      expect(again.events).toHaveLength(0);
    });

    it('filters by type and by simulation, and pages without gaps or repeats', async () => {
      const sim = randomUUID();
      await sut.append(`sim-${sim}`, Array.from({ length: 25 }, (_, i) => noted(i)), { metadata: { simulationId: sim } });
      const seen: number[] = [];
      let after = START;
      for (;;) {
        const page = await sut.readAll({ after, limit: 7, simulationId: sim, types: ['TestNoted'] });
        if (!page.events.length) break;
        seen.push(...page.events.map((e) => (e.data as any).n));
        const l = page.events.at(-1)!;
        after = { transactionId: l.transactionId, position: l.globalPosition };
      }
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
      expect((await sut.readSimulation(sim, { afterPosition: 0, limit: 5 })).length).toBe(5);
      expect((await sut.readSimulation(sim, { types: ['TestNoted'] })).length).toBe(25);
      expect(await sut.readSimulation(sim, { types: ['RpcReplied'] })).toEqual([]);
      expect((await sut.readAll({ types: ['RpcReplied'] })).events).toHaveLength(0);
    });
  });

  describe('consistentRead and completeUpTo', () => {
    it('tells whether what a read saw of a simulation up to a position is all there will be: not while an append below it is open, no once it committed', async () => {
      const sim = randomUUID();
      await sut.append(`sim-${sim}`, [noted(1)], { metadata: { simulationId: sim } });
      const tx = await db.pool.connect();
      try {
        await tx.query('BEGIN');
        const late = (await sut.append(`late-${sim}`, [noted(2)], { metadata: { simulationId: sim } }, tx)).events[0].globalPosition;
        const after = (await sut.append(`sim-${sim}`, [noted(3)], { metadata: { simulationId: sim } })).events[0].globalPosition;
        const { seen, snapshot } = await sut.consistentRead(async (read, snapshot) => ({
          seen: (await sut.readSimulation(sim, {}, read)).map((e) => (e.data as any).n),
          snapshot,
        }));
        expect(seen).toEqual([1, 3]);
        expect(await sut.completeUpTo(snapshot, sim, after)).toBeNull(); // the open append may still commit
        await tx.query('COMMIT');
        // Once every transaction open then has ended (in any database of the cluster: tests run side by side).
        const settled = (s: string, position: number) =>
          eventually(async () => {
            const complete = await sut.completeUpTo(s, sim, position);
            return complete === null ? undefined : { complete };
          });
        expect(await settled(snapshot, after)).toEqual({ complete: false }); // it did, below `after`
        expect(await settled(snapshot, late - 1)).toEqual({ complete: true }); // nothing was missed below it
        const again = await sut.consistentRead((read, s) => Promise.resolve(s));
        expect(await settled(again, after)).toEqual({ complete: true });
      } finally {
        await tx.query('ROLLBACK').catch(() => undefined);
        tx.release();
      }
    });
  });

  describe('wake-ups', () => {
    it('announces each commit with the types it appended, in a transaction only once committed, a rollback never', async () => {
      const listener = new Client({ connectionString: db.url });
      await listener.connect();
      const payloads: string[] = [];
      listener.on('notification', (m) => m.channel === EVENTS_CHANNEL && payloads.push(m.payload ?? ''));
      await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
      try {
        await sut.append(`s-${randomUUID()}`, [noted(1)]);
        await eventually(() => payloads.length === 1);
        expect(payloads).toEqual(['TestNoted']);

        await sut.transaction(async (tx) => {
          await sut.append(`s-${randomUUID()}`, [{ type: 'TestOther', data: { n: 1 } }], {}, tx);
          await sut.append(`s-${randomUUID()}`, [noted(2)], {}, tx);
        });
        await expect(sut.transaction(async (tx) => {
          await sut.append(`s-${randomUUID()}`, [noted(3)], {}, tx);
          throw new Error('rolled back');
        })).rejects.toThrow('rolled back');
        await sut.transaction(async (tx) => tx.query('SELECT 1')); // appends nothing: says nothing
        await sut.append(`s-${randomUUID()}`, [noted(4)]); // a marker: everything before it has been sent
        await eventually(() => payloads.length >= 3);
        // The transaction's two types in one payload (in either order); nothing for the rollback or the read.
        expect(payloads.slice(1).map((p) => p.split(',').sort().join(','))).toEqual(['TestNoted,TestOther', 'TestNoted']);
      } finally {
        await listener.end();
      }
    });

    it('wakes a reader of some types only for those (and everyone for a payload without types)', () => {
      expect(wakesFor('TestNoted,TestOther', ['TestOther'])).toBe(true);
      expect(wakesFor('TestNoted', ['TestOther'])).toBe(false);
      expect(wakesFor('TestNoted', undefined)).toBe(true);
      expect(wakesFor('', ['TestOther'])).toBe(true);
      expect(wakesFor('*', new Set(['TestOther']))).toBe(true);
    });
  });

  describe('blobs', () => {
    it('stores bytes by sha256, once', async () => {
      const h1 = await sut.putBlob('hello world');
      const h2 = await sut.putBlob(Buffer.from('hello world'));
      expect(h1).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
      expect(h2).toBe(h1);
      expect((await sut.getBlob(h1))!.toString()).toBe('hello world');
      expect(await sut.getBlob('0'.repeat(64))).toBeNull();
      expect(await sut.getBlob("'; DROP TABLE blobs; --")).toBeNull();
    });
  });
});
