import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { z } from 'zod';
import { createEventRegistry, defineEvent } from '@swe-sim/contracts';
import { EventStore, Subscription } from '@swe-sim/event-store';
import { createTestDatabase } from '@swe-sim/testing';
import { alternate, BenchFigure, figure, now, percentile } from './bench-kit';

const BenchHappened = defineEvent({
  type: 'BenchHappened',
  version: 1,
  schema: z.object({ i: z.number().int(), text: z.string(), sentAt: z.number().optional() }).strict(),
});
const registry = createEventRegistry([BenchHappened]);
const payload = (i: number) => ({ i, text: 'x'.repeat(200) });

/**
 * Event store figures, each against plain pg on the same database in the same run:
 * appends vs plain INSERT of the same rows into a table of the same shape and indexes,
 * reads vs plain SELECT of the same rows, append-to-handler latency vs a bare NOTIFY round trip.
 */
export async function run(log: (line: string) => void = () => {}): Promise<BenchFigure[]> {
  const db = await createTestDatabase();
  const pool = new Pool({ connectionString: db.url, max: 12 });
  const store = new EventStore(pool, { registry });
  const figures: BenchFigure[] = [];
  try {
    await pool.query(`CREATE TABLE baseline_events (LIKE events INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY)`);
    let baselineVersion = 0;
    const plainInsert = (streamId: string, n: number) => {
      const versions = Array.from({ length: n }, () => ++baselineVersion);
      const meta = JSON.stringify({ simulationId: null, correlationId: 'c', causationId: null, actor: 'bench', recordedAt: new Date().toISOString() });
      return pool.query(
        `INSERT INTO baseline_events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at)
         SELECT $1, v, gen_random_uuid(), 'BenchHappened', 1, d, $3::jsonb, now()
         FROM unnest($2::bigint[], $4::jsonb[]) AS u(v, d)`,
        [streamId, versions, meta, versions.map((v) => JSON.stringify(payload(v)))],
      );
    };

    for (const streams of [1, 8]) {
      for (const batch of [1, 100]) {
        const appendsPerStream = batch === 1 ? Math.round(1600 / streams) : Math.round(160 / streams);
        const rate = async (appendOne: (stream: string, i: number) => Promise<unknown>) => {
          const ids = Array.from({ length: streams }, () => `bench-${randomUUID()}`);
          const t0 = now();
          await Promise.all(
            ids.map(async (s) => {
              for (let i = 0; i < appendsPerStream; i++) await appendOne(s, i);
            }),
          );
          return (streams * appendsPerStream * batch) / ((now() - t0) / 1000);
        };
        const r = await alternate(
          3,
          () =>
            rate((s, i) =>
              store.append(
                s,
                Array.from({ length: batch }, (_, k) => ({ type: 'BenchHappened', data: payload(i * batch + k) })),
                { expectedVersion: i * batch },
              ),
            ),
          () => rate((s) => plainInsert(s, batch)),
        );
        figures.push(figure(`event-store.append.streams${streams}.batch${batch}`, r.subject, r.baseline, 'events/s', 'higher'));
        log(JSON.stringify(figures.at(-1)));
      }
    }

    // Reads: the whole log in pages of 1000, commit-safe reads vs a plain keyset SELECT of the same rows in the same order.
    const total = Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);
    const read = await alternate(
      3,
      async () => {
        const t0 = now();
        let after = { transactionId: '0', position: 0 };
        let n = 0;
        for (;;) {
          const { events } = await store.readAll({ after, limit: 1000 });
          if (!events.length) break;
          n += events.length;
          const l = events[events.length - 1];
          after = { transactionId: l.transactionId, position: l.globalPosition };
        }
        return n / ((now() - t0) / 1000);
      },
      async () => {
        const t0 = now();
        let after = ['0', 0] as [string, number];
        let n = 0;
        for (;;) {
          const r = await pool.query(
            `SELECT global_position, transaction_id::text AS transaction_id, stream_id, stream_version, event_id, type, schema_version, data, metadata
             FROM events WHERE (events.transaction_id, global_position) > ($1::xid8, $2::bigint)
             ORDER BY events.transaction_id, global_position LIMIT 1000`,
            after,
          );
          if (!r.rowCount) break;
          n += r.rowCount;
          const last = r.rows[r.rowCount - 1];
          after = [last.transaction_id, Number(last.global_position)];
        }
        return n / ((now() - t0) / 1000);
      },
    );
    figures.push(figure(`event-store.read-all.page1000 (${total} events)`, read.subject, read.baseline, 'events/s', 'higher'));
    log(JSON.stringify(figures.at(-1)));

    figures.push(...(await appendToHandlerLatency(store, db.url, pool, log)));
  } finally {
    await pool.end();
    await db.drop();
  }
  return figures;
}

async function appendToHandlerLatency(store: EventStore, url: string, pool: Pool, log: (l: string) => void): Promise<BenchFigure[]> {
  const samples = 300;
  const latencies: number[] = [];
  let resolveNext: (() => void) | null = null;
  const sub = new Subscription(
    store,
    { connectionString: url },
    {
      name: 'bench-latency',
      types: ['BenchHappened'],
      pollIntervalMs: 5000, // NOTIFY must do the waking
      handler: async (event) => {
        const sentAt = (event.data as { sentAt?: number }).sentAt;
        if (sentAt !== undefined) {
          latencies.push(now() - sentAt);
          resolveNext?.();
        }
      },
    },
  );
  sub.start();
  while ((await sub.lag()) > 0) await new Promise((r) => setTimeout(r, 50)); // catch up first
  for (let i = 0; i < samples; i++) {
    const seen = new Promise<void>((r) => (resolveNext = r));
    await store.append('latency', [{ type: 'BenchHappened', data: { i, text: '', sentAt: now() } }]);
    await seen;
  }
  await sub.stop();

  // Baseline: the bare mechanism, a NOTIFY from one session received by another.
  const listener = new Client({ connectionString: url });
  await listener.connect();
  await listener.query('LISTEN bench_baseline');
  const base: number[] = [];
  for (let i = 0; i < samples; i++) {
    const got = new Promise<void>((r) => listener.once('notification', () => r()));
    const t0 = now();
    await pool.query(`SELECT pg_notify('bench_baseline', '')`);
    await got;
    base.push(now() - t0);
  }
  await listener.end();
  const p50 = figure('event-store.append-to-handler.p50', percentile(latencies, 50), percentile(base, 50), 'ms', 'lower');
  const p99 = figure('event-store.append-to-handler.p99', percentile(latencies, 99), percentile(base, 99), 'ms', 'lower');
  log(JSON.stringify(p50));
  log(JSON.stringify(p99));
  return [p50, p99];
}

if (require.main === module) {
  run((l) => console.log(l)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
