import { Queryable } from '@swe-sim/event-store';

export interface PendingRequest {
  requestId: string;
  pattern: string;
  attempts: number;
}

/** Requests a service has accepted and not yet answered (its durable to-do list). */
export class RequestInboxRepository {
  async accept(db: Queryable, service: string, requestId: string, pattern: string): Promise<void> {
    await db.query(
      `INSERT INTO transport_inbox (service, request_id, pattern, status) VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (service, request_id) DO NOTHING`,
      [service, requestId, pattern],
    );
  }

  async pending(db: Queryable, service: string, limit: number, exclude: readonly string[]): Promise<PendingRequest[]> {
    const r = await db.query(
      `SELECT request_id, pattern, attempts FROM transport_inbox
       WHERE service = $1 AND status = 'pending' AND NOT (request_id = ANY($3::uuid[]))
       ORDER BY accepted_at LIMIT $2`,
      [service, limit, exclude],
    );
    return r.rows.map((row) => ({ requestId: row.request_id, pattern: row.pattern, attempts: row.attempts }));
  }

  /** Counts a start; returns the attempts before this one (more than 0: an earlier run was interrupted). */
  async startAttempt(db: Queryable, service: string, requestId: string): Promise<number> {
    const r = await db.query(
      `UPDATE transport_inbox SET attempts = attempts + 1 WHERE service = $1 AND request_id = $2 RETURNING attempts - 1 AS before`,
      [service, requestId],
    );
    return r.rows[0]?.before ?? 0;
  }

  async complete(db: Queryable, service: string, requestId: string): Promise<void> {
    await db.query(`UPDATE transport_inbox SET status = 'done' WHERE service = $1 AND request_id = $2`, [service, requestId]);
  }

  async pendingCount(db: Queryable, service: string): Promise<number> {
    const r = await db.query(`SELECT count(*)::int AS n FROM transport_inbox WHERE service = $1 AND status = 'pending'`, [service]);
    return r.rows[0].n;
  }
}
