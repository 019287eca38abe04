import { Pool } from 'pg';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore, silentLogger } from '@swe-sim/event-store';
import { mulberry32 } from '@swe-sim/kit';
import { createTestDatabase } from '@swe-sim/testing';
import { History } from '../apps/project-management/src/history/history';
import { SimulationStateHandler } from '../apps/project-management/src/simulations/simulation-state/simulation-state.handler';
import { SimulationStateSnapshotsRepository } from '../apps/project-management/src/simulations/simulation-state/simulation-state-snapshots.repository';
import { appendSyntheticHistory } from '../apps/project-management/src/simulations/simulation-state/synthetic-history';
import { BenchFigure, figure, median, now, percentile } from './bench-kit';

const EVENTS = Number(process.env.BENCH_HISTORY_EVENTS ?? 100_000);
/** Other simulations' events in the same log, six of them (a history is never alone in it). */
const OTHER_EVENTS = Number(process.env.BENCH_HISTORY_OTHER_EVENTS ?? 60_000);
const STATE_ROUNDS = Number(process.env.BENCH_HISTORY_STATE_ROUNDS ?? 15);
const PAGE_ROUNDS = Number(process.env.BENCH_HISTORY_PAGE_ROUNDS ?? 60);

/**
 * The history API on a simulation of 100k events, through the code the endpoints use:
 * (a) GET /simulations/:id/state?at= at random positions — from the nearest snapshot vs a fold
 *     from the start of the same events (the same handler with snapshots off), alternately;
 * (b) GET /simulations/:id/events pages of 1,000 at random offsets (History.page: commit-safe
 *     reads) vs a plain SELECT of the same rows by position.
 */
export async function run(log: (line: string) => void = () => {}): Promise<BenchFigure[]> {
  const db = await createTestDatabase();
  const pool = new Pool({ connectionString: db.url, max: 8 });
  const store = new EventStore(pool, { registry: createEventRegistry() });
  const figures: BenchFigure[] = [];
  const emit = (f: BenchFigure) => {
    figures.push(f);
    log(JSON.stringify(f));
  };
  try {
    // --- the history: one simulation of EVENTS events and others beside it, appended through the store
    const t0 = now();
    const others = Promise.all([1, 2, 3, 4, 5, 6].map((k) => appendSyntheticHistory(store, { events: OTHER_EVENTS / 6, seed: 100 + k, perTransaction: 200 })));
    const { simulationId, events } = await appendSyntheticHistory(store, {
      events: EVENTS,
      seed: 1,
      perTransaction: 200,
      onProgress: (n) => n % 10_000 < 200 && log(`[history] ${n} events appended`),
    });
    await others;
    await pool.query('VACUUM ANALYZE events');
    const total = Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);
    log(`[history] ${events} events of the simulation, ${total} in the log, appended in ${Math.round(now() - t0)} ms`);
    const positions: number[] = (await pool.query('SELECT global_position::int AS p FROM events WHERE simulation_id = $1 ORDER BY global_position', [simulationId])).rows.map((r) => r.p);
    const random = mulberry32(42);
    const anyPosition = () => positions[Math.floor(random() * positions.length)];

    // --- (a) state at a position
    const snapshots = new SimulationStateSnapshotsRepository(pool);
    const state = new SimulationStateHandler(store, snapshots, silentLogger);
    const t1 = now();
    await state.execute(simulationId, undefined); // the first read folds from the start and stores the snapshots
    const firstRead = now() - t1;
    const expected = Math.floor(events / state.every);
    for (let tries = 0; (await snapshots.count(simulationId)) < expected; tries++) {
      if (tries > 100) throw new Error('snapshots were not stored');
      await new Promise((r) => setTimeout(r, 100));
      await state.execute(simulationId, undefined);
    }
    log(`[history] first read (fold from the start, ${expected} snapshots stored): ${Math.round(firstRead)} ms`);
    const withSnapshots: number[] = [];
    const fromStart: number[] = [];
    for (let i = 0; i < STATE_ROUNDS; i++) {
      const at = anyPosition();
      let t = now();
      const plain = await state.execute(simulationId, at, { snapshots: false });
      fromStart.push(now() - t);
      t = now();
      const resumed = await state.execute(simulationId, at);
      withSnapshots.push(now() - t);
      if (JSON.stringify(resumed) !== JSON.stringify(plain)) throw new Error(`the state at ${at} from a snapshot differs from the fold from the start`);
      log(`[history] state at ${at}: ${Math.round(withSnapshots.at(-1)!)} ms from a snapshot, ${Math.round(fromStart.at(-1)!)} ms from the start`);
    }
    emit(figure(`history.state-at.p50 (${events} events, snapshot every ${state.every})`, median(withSnapshots), median(fromStart), 'ms', 'lower'));
    emit(figure('history.state-at.p95', percentile(withSnapshots, 95), percentile(fromStart, 95), 'ms', 'lower'));

    // --- (b) a page of 1,000 events from a random point of the history
    const history = new History(store);
    const other = (await others)[0];
    const otherId = other.simulationId;
    const pageFigures = async (simulation: string, label: string) => {
      const own: number[] = (await pool.query('SELECT global_position::int AS p FROM events WHERE simulation_id = $1 ORDER BY global_position', [simulation])).rows.map((r) => r.p);
      const pages: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < PAGE_ROUNDS; i++) {
        const start = own[Math.floor(random() * (own.length - 1000))];
        const after = { transactionId: (await pool.query('SELECT transaction_id::text AS t FROM events WHERE global_position = $1', [start])).rows[0].t as string, position: start };
        let t = now();
        const rows = (
          await pool.query(
            `SELECT global_position, transaction_id::text AS transaction_id, stream_id, stream_version, event_id, type, schema_version, data, metadata
             FROM events WHERE simulation_id = $1 AND global_position > $2 ORDER BY global_position LIMIT 1000`,
            [simulation, start],
          )
        ).rows;
        plain.push(now() - t);
        t = now();
        const page = await history.page({ after, limit: 1000, simulationId: simulation });
        pages.push(now() - t);
        if (page.items.length !== 1000 || page.items.some((e, k) => e.eventId !== rows[k].event_id)) throw new Error('the page is not the rows of the plain SELECT');
      }
      emit(figure(`history.events-page1000.p50 (${label})`, median(pages), median(plain), 'ms', 'lower'));
    };
    const share = (n: number) => `${Math.round((100 * n) / total)}% of the log`;
    await pageFigures(simulationId, `a simulation of ${events} events, ${share(events)}`);
    await pageFigures(otherId, `a simulation of ${other.events} events, ${share(other.events)}`);
    log(`[history] the page's plan: ${await pagePlan(pool, otherId)}`);
    // The same without the index the migration adds for it: what the index is for.
    await pool.query('DROP INDEX events_by_simulation_commit_order');
    await pageFigures(otherId, `a simulation of ${other.events} events, ${share(other.events)}, without events_by_simulation_commit_order`);
    log(`[history] the page's plan without it: ${await pagePlan(pool, otherId)}`);
  } finally {
    await pool.end();
    await db.drop();
  }
  return figures;
}

/** How Postgres reads a page of one simulation in commit order (the query of readAll), from the middle of it. */
async function pagePlan(pool: Pool, simulationId: string): Promise<string> {
  const mid = (await pool.query('SELECT transaction_id::text AS t, global_position::int AS p FROM events WHERE simulation_id = $1 ORDER BY global_position OFFSET (SELECT count(*) / 2 FROM events WHERE simulation_id = $1) LIMIT 1', [simulationId])).rows[0];
  // readAll's query (libs/event-store), as it runs for GET /simulations/:id/events.
  const r = await pool.query(
    `EXPLAIN (ANALYZE, FORMAT JSON) WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
     SELECT h.xmin::text AS horizon,
       EXISTS (SELECT 1 FROM events e WHERE e.transaction_id >= h.xmin AND e.simulation_id = $3::uuid) AS held_back,
       e.* FROM h LEFT JOIN LATERAL (
       SELECT * FROM events e
       WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND e.transaction_id < h.xmin AND e.simulation_id = $3::uuid
       ORDER BY e.transaction_id, e.global_position LIMIT 1000
     ) e ON true`,
    [mid.t, mid.p, simulationId],
  );
  const nodes: string[] = [];
  const walk = (n: any) => {
    nodes.push(`${n['Node Type']}${n['Index Name'] ? ` on ${n['Index Name']}` : ''}`);
    (n.Plans ?? []).forEach(walk);
  };
  walk(r.rows[0]['QUERY PLAN'][0].Plan);
  return `${nodes.join(' > ')}, ${r.rows[0]['QUERY PLAN'][0]['Execution Time']} ms`;
}

if (require.main === module) {
  run((l) => console.log(l)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
