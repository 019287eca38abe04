import { Queryable } from './event-store';
import { Checkpoint, START } from './types';

/** Subscription checkpoints and dead letters. */
export class CheckpointRepository {
  async ensure(db: Queryable, name: string): Promise<Checkpoint> {
    await db.query('INSERT INTO subscription_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
    return (await this.load(db, name)) ?? START;
  }

  async load(db: Queryable, name: string): Promise<Checkpoint | null> {
    const r = await db.query(
      'SELECT last_transaction_id::text AS tx, last_position FROM subscription_checkpoints WHERE name = $1',
      [name],
    );
    return r.rowCount ? { transactionId: r.rows[0].tx, position: Number(r.rows[0].last_position) } : null;
  }

  /** Compare-and-set: moves the checkpoint only from where this instance believes it is. */
  async advance(db: Queryable, name: string, from: Checkpoint, to: Checkpoint): Promise<boolean> {
    const r = await db.query(
      `UPDATE subscription_checkpoints SET last_transaction_id = $4::xid8, last_position = $5, updated_at = now()
       WHERE name = $1 AND last_transaction_id = $2::xid8 AND last_position = $3`,
      [name, from.transactionId, from.position, to.transactionId, to.position],
    );
    return r.rowCount === 1;
  }

  async park(db: Queryable, name: string, eventId: string, error: string, attempts: number): Promise<void> {
    await db.query(
      `INSERT INTO subscription_dead_letters (subscription, event_id, error, attempts) VALUES ($1, $2, $3, $4)
       ON CONFLICT (subscription, event_id) DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts`,
      [name, eventId, error.slice(0, 4000), attempts],
    );
  }

  async deadLetterCount(db: Queryable, name: string): Promise<number> {
    const r = await db.query('SELECT count(*)::int AS n FROM subscription_dead_letters WHERE subscription = $1', [name]);
    return r.rows[0].n;
  }

  /** Events after the checkpoint that the subscription still has to see (capped: health needs no exact big numbers). */
  async lag(db: Queryable, name: string, types: readonly string[] | undefined, cap = 100_000): Promise<number> {
    const cp = (await this.load(db, name)) ?? START;
    const r = await db.query(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         ${types ? 'AND type = ANY($4::text[])' : ''} LIMIT $3) x`,
      types ? [cp.transactionId, cp.position, cap, types] : [cp.transactionId, cp.position, cap],
    );
    return r.rows[0].n;
  }
}
