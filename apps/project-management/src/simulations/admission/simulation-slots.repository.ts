import { Injectable } from '@nestjs/common';
import { Queryable } from '@swe-sim/event-store';
import { WaitingRequest } from './admission';

export type SlotState = 'queued' | 'running' | 'free';

/**
 * pm_simulation_slots: one row per simulation — `queued` (a start or a resume waits for a slot),
 * `running` (it holds one), `free` (ended, failed resumable, or cancelled while it waited). Written
 * only by project-management's subscription, in its transaction: with the events that change it.
 */
@Injectable()
export class SimulationSlotsRepository {
  /**
   * Serialises admissions: counting the running and recording starts happen under this lock, so
   * never more than the limit run, whatever instance decides. A transaction lock, held by the
   * subscription's own transaction for its few statements (never by a request from the pool).
   */
  async lock(db: Queryable): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('pm:simulation-slots', 0))`);
  }

  /**
   * Records where a simulation stands, as its lifecycle says now (not as one event says: the log
   * is read in commit order, which is not always the order its events were decided in).
   * `seq`: the position of the request a queued simulation waits with.
   */
  async set(db: Queryable, simulationId: string, projectId: string, state: SlotState, seq: number): Promise<void> {
    await db.query(
      `INSERT INTO pm_simulation_slots AS s (simulation_id, project_id, state, seq) VALUES ($1, $2, $3, $4)
       ON CONFLICT (simulation_id) DO UPDATE SET state = $3, seq = $4, updated_at = now() WHERE s.state <> $3 OR s.seq <> $4`,
      [simulationId, projectId, state, seq],
    );
  }

  async runningByProject(db: Queryable): Promise<Record<string, number>> {
    const r = await db.query(`SELECT project_id, count(*)::int AS n FROM pm_simulation_slots WHERE state = 'running' GROUP BY project_id`);
    return Object.fromEntries(r.rows.map((row) => [row.project_id, row.n]));
  }

  /** Each project's `perProject` oldest waiting requests: all that a fair pick of that many slots can take. */
  async waiting(db: Queryable, perProject: number): Promise<WaitingRequest[]> {
    const r = await db.query(
      `SELECT simulation_id, project_id, seq FROM (
         SELECT simulation_id, project_id, seq, row_number() OVER (PARTITION BY project_id ORDER BY seq) AS n
         FROM pm_simulation_slots WHERE state = 'queued') w
       WHERE n <= $1 ORDER BY seq`,
      [perProject],
    );
    return r.rows.map((row) => ({ simulationId: row.simulation_id, projectId: row.project_id, seq: Number(row.seq) }));
  }

  /** Where a queued simulation stands: 1 = next (FIFO order, before fairness across projects). */
  async queuePosition(db: Queryable, simulationId: string): Promise<number | null> {
    const r = await db.query(
      `SELECT (SELECT count(*)::int FROM pm_simulation_slots w WHERE w.state = 'queued' AND w.seq <= s.seq) AS position
       FROM pm_simulation_slots s WHERE s.simulation_id = $1 AND s.state = 'queued'`,
      [simulationId],
    );
    return r.rowCount ? r.rows[0].position : null;
  }
}
