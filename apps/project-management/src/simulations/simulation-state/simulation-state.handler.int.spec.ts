import { randomUUID } from 'node:crypto';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore, silentLogger } from '@swe-sim/event-store';
import { mulberry32 } from '@swe-sim/kit';
import { createTestDatabase, eventually, TestDatabase } from '@swe-sim/testing';
import { SIMULATION_STATE_FOLD_VERSION, present, rebuildSimulationState } from './simulation-state';
import { SimulationStateHandler } from './simulation-state.handler';
import { SimulationStateSnapshotsRepository } from './simulation-state-snapshots.repository';
import { appendSyntheticHistory } from './synthetic-history';

const EVERY = 100;

describe(SimulationStateHandler.name, () => {
  let db: TestDatabase;
  let store: EventStore;
  let snapshots: SimulationStateSnapshotsRepository;
  let sut: SimulationStateHandler;
  let simulationId: string;
  let positions: number[];

  /** The plain fold from the start of every event up to a position: what the snapshots must reproduce. */
  const foldFromStart = async (at: number) => {
    const events = await store.readSimulation(simulationId, { toPosition: at, limit: 100_000 });
    return rebuildSimulationState(events.map((e) => ({ type: e.type, data: e.data, globalPosition: e.globalPosition, recordedAt: e.metadata.recordedAt })));
  };
  const snapshotRows = async () =>
    (await db.pool.query('SELECT position::int, events, fold_version FROM pm_simulation_state_snapshots WHERE simulation_id = $1 ORDER BY position', [simulationId])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry() });
    snapshots = new SimulationStateSnapshotsRepository(db.pool);
    sut = new SimulationStateHandler(store, snapshots, silentLogger, EVERY);
    // Another simulation's events interleaved in the log, so positions of this one have gaps.
    const other = appendSyntheticHistory(store, { events: 800, features: 12, seed: 2, perTransaction: 7 });
    ({ simulationId } = await appendSyntheticHistory(store, { events: 3000, features: 24, turnsPerTask: 12, seed: 1, perTransaction: 5 }));
    await other;
    positions = (await db.pool.query('SELECT global_position::int AS p FROM events WHERE simulation_id = $1 ORDER BY global_position', [simulationId])).rows.map((r) => r.p);
  });
  afterAll(() => db.drop());

  it('builds a realistic history: every kind of event, several sprints, thousands of events', async () => {
    const types = (await db.pool.query('SELECT type, count(*)::int AS n FROM events WHERE simulation_id = $1 GROUP BY type', [simulationId])).rows;
    const n = Object.fromEntries(types.map((r) => [r.type, r.n]));
    expect(positions.length).toBeGreaterThanOrEqual(3000);
    for (const t of ['SimulationStarted', 'TeamFormed', 'EstimateCast', 'SprintStarted', 'AgentTaskStarted', 'AgentTurnTaken', 'LlmCallCompleted', 'CommandExecuted', 'FeatureDone', 'SprintEnded']) {
      expect(n[t]).toBeGreaterThan(0);
    }
  });

  it('at random positions, equals the fold from the start — before any snapshot, and from snapshots once they are stored', async () => {
    const random = mulberry32(7);
    const at = [positions[0], positions[EVERY - 1], positions[EVERY], positions[positions.length - 1], ...Array.from({ length: 25 }, () => positions[Math.floor(random() * positions.length)])];
    // A position between two of this simulation's events (another's event there) is the state at the one before.
    at.push(positions[1500] + 1);
    for (const p of at) expect(await sut.execute(simulationId, p)).toEqual(await foldFromStart(p));
    // A read that reached the end stores every boundary (unless a transaction anywhere was still open then: the next read does).
    const rows = await eventually(async () => {
      await sut.execute(simulationId, undefined);
      const r = await snapshotRows();
      return r.length === Math.floor(positions.length / EVERY) && r;
    }, 10_000, 'the snapshots');
    expect(rows.map((r) => r.position)).toEqual(rows.map((_, k) => positions[(k + 1) * EVERY - 1]));
    expect(rows.map((r) => r.events)).toEqual(rows.map((_, k) => (k + 1) * EVERY));
    // Now every read resumes from a snapshot.
    for (const p of at) expect(await sut.execute(simulationId, p)).toEqual(await foldFromStart(p));
    expect(await sut.execute(simulationId, undefined)).toEqual(await foldFromStart(Number.MAX_SAFE_INTEGER));
  });

  it('folds on from the snapshot, not from the start (a snapshot is what the state there is taken to be)', async () => {
    const p = positions[EVERY * 3 + 10];
    const at = positions[EVERY * 3 - 1];
    await db.pool.query(
      `UPDATE pm_simulation_state_snapshots SET state = jsonb_set(state::jsonb, '{process,llmTimeMs}', '1e9')::json WHERE simulation_id = $1 AND position = $2`,
      [simulationId, at],
    );
    try {
      expect((await sut.execute(simulationId, p)).metrics.llmTimeMs).toBeGreaterThan(1e9 - 1);
      expect(await sut.execute(simulationId, p, { snapshots: false })).toEqual(await foldFromStart(p));
    } finally {
      await db.pool.query('DELETE FROM pm_simulation_state_snapshots WHERE simulation_id = $1', [simulationId]);
    }
  });

  it('ignores snapshots of another version of the fold, and drops them when it stores its own', async () => {
    const p = positions[EVERY * 2 + 5];
    const stale = await foldFromStart(positions[EVERY - 1]);
    await db.pool.query(
      `INSERT INTO pm_simulation_state_snapshots (simulation_id, fold_version, position, events, state) VALUES ($1, 'an-older-fold', $2, $3, $4)`,
      [simulationId, positions[EVERY * 2 - 1], EVERY * 2, JSON.stringify({ nonsense: stale })],
    );
    expect(await sut.execute(simulationId, p)).toEqual(await foldFromStart(p));
    const versions = await eventually(async () => {
      await sut.execute(simulationId, p);
      const rows = await snapshotRows();
      return rows.length === 2 && rows.map((r) => r.fold_version);
    }, 10_000, 'the snapshots');
    expect(versions).toEqual([SIMULATION_STATE_FOLD_VERSION, SIMULATION_STATE_FOLD_VERSION]);
  });

  it('stores no snapshot while a transaction that may still commit an event below it is open, and right ones after', async () => {
    // Within the simulation's wall-time budget: its history is of long ago.
    const metadata = { simulationId, recordedAt: (await sut.execute(simulationId, undefined)).at };
    await db.pool.query('DELETE FROM pm_simulation_state_snapshots WHERE simulation_id = $1', [simulationId]);
    const commandRan = (durationMs: number) => ({
      type: 'CommandExecuted',
      data: { sandboxId: 'sb-late', requestId: randomUUID(), exitCode: 0, stdoutBytes: 0, stderrBytes: 0, truncated: false, durationMs, timedOut: false, oomKilled: false, pidsLimitHit: false },
    });
    const tx = await db.pool.connect();
    let sandboxTimeBefore: number;
    try {
      // An append takes a position and stays open while later events of the simulation commit past a snapshot boundary.
      await tx.query('BEGIN');
      await store.append('sandbox-sb-late', [commandRan(1_000_000)], { metadata }, tx);
      for (let i = 0; i < EVERY + 50; i++) await store.append('sandbox-sb-later', [commandRan(1)], { metadata });
      const whileOpen = await sut.execute(simulationId, undefined);
      sandboxTimeBefore = whileOpen.metrics.sandboxTimeMs;
      expect(whileOpen).toEqual(await foldFromStart(Number.MAX_SAFE_INTEGER));
      expect(await snapshotRows()).toEqual([]); // the open append may still commit below them
      await tx.query('COMMIT');
    } finally {
      await tx.query('ROLLBACK').catch(() => undefined); // nothing to undo after COMMIT; the client goes back clean
      tx.release();
    }
    const total = positions.length + EVERY + 51;
    await eventually(async () => {
      await sut.execute(simulationId, undefined);
      return (await snapshotRows()).length === Math.floor(total / EVERY);
    }, 10_000, 'the snapshots');
    const now = await sut.execute(simulationId, undefined);
    expect(now.metrics.sandboxTimeMs).toBe(sandboxTimeBefore + 1_000_000);
    expect(now).toEqual(await foldFromStart(Number.MAX_SAFE_INTEGER));
    // Each stored state is the fold from the start at its position.
    const stored = (await db.pool.query('SELECT position::int, state FROM pm_simulation_state_snapshots WHERE simulation_id = $1', [simulationId])).rows;
    for (const row of stored) expect(present(row.state)).toEqual(await foldFromStart(row.position));
  });

  it('answers 404 for an unknown simulation and 400 naming at for a position before it started', async () => {
    await expect(sut.execute(randomUUID(), undefined)).rejects.toMatchObject({ status: 404, response: { code: 'SIMULATION_NOT_FOUND' } });
    await expect(sut.execute(simulationId, positions[0] - 1)).rejects.toMatchObject({ status: 400, response: { code: 'VALIDATION_FAILED', field: 'at' } });
  });
});
