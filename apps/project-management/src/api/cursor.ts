import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { Checkpoint } from '@swe-sim/event-store';

/** A page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const invalid = (field: string, why: string) => new BadRequestException({ code: 'VALIDATION_FAILED', message: `${field}: ${why}`, field });

/** `?limit=&cursor=` of a list: limit 1..100 (default 20), an opaque cursor from a previous page. */
export const pageQuerySchema = z
  .object({
    limit: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(512).optional(),
  })
  .strict();

/** Where a list page ends: the last item's sort key (its time, as microseconds in UTC, and its id). */
export interface ListPosition {
  at: string;
  id: string;
}

/** One page of a list read newest first with `LIMIT limit + 1`, so whether more follow is known. */
export interface ListSlice<T> {
  items: T[];
  last: ListPosition | null;
  more: boolean;
}

/**
 * The page of rows read with `LIMIT limit + 1` (each with its `sort_at`): the first `limit` rows
 * as items, where the page ends (the last row's sort key and `idColumn`), and whether more follow.
 */
export function keysetPage<Row extends { sort_at: string }, T>(rows: Row[], limit: number, idColumn: keyof Row, item: (row: Row) => T): ListSlice<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(item), last: last ? { at: last.sort_at, id: String(last[idColumn]) } : null, more: rows.length > limit };
}

const listPositionSchema = z
  .object({ at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), id: z.string().uuid() })
  .strict();

/** A calendar time that exists (not 2026-02-30: Postgres would refuse it). */
function isRealTime(at: string): boolean {
  const t = Date.parse(at);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 19) === at.slice(0, 19);
}

export function encodeListCursor(p: ListPosition): string {
  return Buffer.from(JSON.stringify({ at: p.at, id: p.id }), 'utf8').toString('base64url');
}

export function decodeListCursor(cursor: string | undefined, field = 'cursor'): ListPosition | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid(field, 'not a cursor from this API');
  }
  const r = listPositionSchema.safeParse(parsed);
  if (!r.success || !isRealTime(r.data.at)) throw invalid(field, 'not a cursor from this API');
  return r.data;
}

/** `?after=&limit=` of the event history: limit 1..1000 (default 100), `after` a cursor from a previous page. */
export const historyQuerySchema = z
  .object({
    after: z.string().min(1).max(128).optional(),
    limit: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(1000).default(100),
  })
  .strict();

const MAX_XID8 = 2n ** 63n - 1n;

/** A checkpoint in commit order (transaction id, position) as an opaque cursor. */
export function encodeEventCursor(c: Checkpoint): string {
  return Buffer.from(`e1:${c.transactionId}:${c.position}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(cursor: string | undefined, field = 'after'): Checkpoint | undefined {
  if (cursor === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^e1:(\d{1,19}):(\d{1,16})$/.exec(text);
  if (!m) throw invalid(field, 'not a cursor from this API');
  const position = Number(m[2]);
  if (BigInt(m[1]) > MAX_XID8 || !Number.isSafeInteger(position)) throw invalid(field, 'out of range');
  return { transactionId: BigInt(m[1]).toString(), position };
}

/** The later of two checkpoints in commit order. */
export function laterCheckpoint(a: Checkpoint, b: Checkpoint): Checkpoint {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta > tb ? a : b;
  return a.position >= b.position ? a : b;
}

/** Beyond what the store has handed out so far (a transaction not yet below the horizon). */
export function assertNotBeyond(after: Checkpoint | undefined, horizon: string, field = 'after'): void {
  if (after && BigInt(after.transactionId) > BigInt(horizon)) throw invalid(field, 'out of range (beyond the end of the log)');
}
