import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';
import { SimulationState } from './simulation-state';

export interface StateSnapshot {
  position: number;
  state: SimulationState;
}

/** pm_simulation_state_snapshots: the state fold's state at every N events of a simulation, per fold version. */
@Injectable()
export class SimulationStateSnapshotsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The latest snapshot of this fold version at or before a position. */
  async nearest(db: Queryable, simulationId: string, foldVersion: string, atOrBefore: number): Promise<StateSnapshot | null> {
    const r = await db.query(
      `SELECT position, state FROM pm_simulation_state_snapshots
       WHERE simulation_id = $1 AND fold_version = $2 AND position <= $3
       ORDER BY position DESC LIMIT 1`,
      [simulationId, foldVersion, atOrBefore],
    );
    return r.rowCount ? { position: Number(r.rows[0].position), state: r.rows[0].state } : null;
  }

  /** Stores snapshots (a snapshot already there stays: the same fold of the same events) and drops other versions'. */
  async save(simulationId: string, foldVersion: string, states: readonly SimulationState[], db: Queryable = this.pool): Promise<void> {
    if (states.length === 0) return;
    await db.query(
      `INSERT INTO pm_simulation_state_snapshots (simulation_id, fold_version, position, events, state)
       SELECT $1, $2, u.position, u.events, u.state FROM unnest($3::bigint[], $4::int[], $5::json[]) AS u(position, events, state)
       ON CONFLICT DO NOTHING`,
      [simulationId, foldVersion, states.map((s) => s.position), states.map((s) => s.events), states.map((s) => JSON.stringify(s))],
    );
    await db.query('DELETE FROM pm_simulation_state_snapshots WHERE simulation_id = $1 AND fold_version <> $2', [simulationId, foldVersion]);
  }

  async count(simulationId: string, db: Queryable = this.pool): Promise<number> {
    const r = await db.query('SELECT count(*)::int AS n FROM pm_simulation_state_snapshots WHERE simulation_id = $1', [simulationId]);
    return r.rows[0].n;
  }
}
