import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';

export type OwnerKind = 'task' | 'simulation';

/** A live sandbox whose owner has ended since it was requested, and which of its owners did. */
export interface OrphanedSandbox {
  sandboxId: string;
  simulationId: string;
  engine: string;
  reason: 'owner-ended' | 'simulation-ended';
}

/**
 * sc_owner_ends: for each agent task and simulation, the global position of its last end
 * (AgentTaskEnded / AgentTaskSuspended; SimulationCompleted / Failed / Cancelled). A sandbox goes
 * when its task or its simulation ended after its request (sc_sandboxes.request_position): those
 * requested later — a task resumed after a suspension, a simulation resumed after a failure, an exec
 * in the workspace of an ended simulation — are not concerned.
 */
@Injectable()
export class OwnerEndsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Keeps the latest end (by position): a re-delivery or an older end never moves it back. Idempotent. */
  async recordEnd(db: Queryable, kind: OwnerKind, ownerId: string, simulationId: string | null, position: number, endType: string): Promise<void> {
    await db.query(
      `INSERT INTO sc_owner_ends (owner_kind, owner_id, simulation_id, ended_position, end_type) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (owner_kind, owner_id) DO UPDATE
         SET ended_position = EXCLUDED.ended_position, end_type = EXCLUDED.end_type, simulation_id = COALESCE(EXCLUDED.simulation_id, sc_owner_ends.simulation_id)
         WHERE EXCLUDED.ended_position > sc_owner_ends.ended_position`,
      [kind, ownerId, simulationId, position, endType],
    );
  }

  /**
   * Live sandboxes (status created) on these engines whose task or simulation ended after they were
   * requested; a row without a request position (made before it was kept) counts as requested first.
   * The task's end is named when both ended.
   */
  async orphanedSandboxes(engines: readonly string[]): Promise<OrphanedSandbox[]> {
    const r = await this.pool.query(
      `SELECT s.sandbox_id, s.simulation_id, s.engine, CASE WHEN t.owner_id IS NOT NULL THEN 'owner-ended' ELSE 'simulation-ended' END AS reason
       FROM sc_sandboxes s
       LEFT JOIN sc_owner_ends t ON t.owner_kind = 'task' AND t.owner_id = s.owner_task_id AND t.ended_position > COALESCE(s.request_position, 0)
       LEFT JOIN sc_owner_ends m ON m.owner_kind = 'simulation' AND m.owner_id = s.simulation_id::text AND m.ended_position > COALESCE(s.request_position, 0)
       WHERE s.status = 'created' AND s.engine = ANY($1::text[]) AND (t.owner_id IS NOT NULL OR m.owner_id IS NOT NULL)
       ORDER BY s.created_at`,
      [engines],
    );
    return r.rows.map((row) => ({ sandboxId: row.sandbox_id, simulationId: row.simulation_id, engine: row.engine, reason: row.reason }));
  }
}
