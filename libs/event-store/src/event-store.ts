import { randomUUID, createHash } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { EventMetadata, EventRegistry, eventMetadataSchema, EventSchemaError } from '@swe-sim/contracts';
import { ConcurrencyError, DuplicateEventError, EventTooLargeError, InvalidAppendError } from './errors';
import { AppendResult, Checkpoint, ExpectedVersion, NewEvent, RecordedEvent, START, StoredEvent } from './types';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<Pool, 'query'> | PoolClient;

export interface EventStoreOptions {
  registry: EventRegistry;
  /** Largest serialised data of one event; larger payloads belong in the blob table. */
  maxEventBytes?: number;
  clock?: () => Date;
  /** Actor written into metadata when the caller gives none. */
  defaultActor?: string;
}

export interface ReadAllOptions {
  after?: Checkpoint;
  limit?: number;
  types?: readonly string[];
  simulationId?: string;
}

export interface ReadAllResult {
  events: StoredEvent[];
  /**
   * Every transaction below this xid8 had finished when the read ran. When the read returned
   * fewer events than its limit, (horizon, 0) is a safe checkpoint: nothing older can appear.
   */
  horizon: string;
  /**
   * Events that match exist but are not readable yet: committed after a transaction that was
   * still open when the read ran (its xid is below theirs). Nothing wakes a reader when that
   * transaction ends (it may not append, or live in another database of the cluster), so a
   * reader should look again soon rather than wait for its poll.
   */
  heldBack: boolean;
}

/** NOTIFY channel that wakes subscribers; the table stays the truth. */
export const EVENTS_CHANNEL = 'swe_sim_events';

/** A NOTIFY payload that wakes every listener (types not known, or too many to list). */
const WAKE_ALL = '*';
/** Postgres refuses payloads of 8000 bytes or more. */
const MAX_PAYLOAD = 7000;

/**
 * Whether a NOTIFY on EVENTS_CHANNEL may concern a reader of `types` (all types when undefined).
 * The payload lists the event types appended since the sender's previous NOTIFY ('*' or '' for
 * any): a reader of other types has nothing new to read and need not run a query to find out.
 */
export function wakesFor(payload: string | undefined, types: readonly string[] | ReadonlySet<string> | undefined): boolean {
  if (!types || !payload || payload === WAKE_ALL) return true;
  const wanted = types instanceof Set ? types : new Set(types as readonly string[]);
  return payload.split(',').some((t) => t === WAKE_ALL || wanted.has(t));
}

const COLUMNS = `global_position, transaction_id::text AS transaction_id, stream_id, stream_version, event_id,
  type, schema_version, data, metadata`;

/** The Postgres event store. All event SQL lives here. */
export class EventStore {
  readonly registry: EventRegistry;
  private readonly maxEventBytes: number;
  private readonly clock: () => Date;
  private readonly defaultActor: string;
  private notifying = false;
  /** Types appended (and committed) since the NOTIFY in flight was sent: the next one's payload. */
  private readonly unnotified = new Set<string>();
  /** Types appended inside a caller's transaction, announced once it commits (see appendedIn). */
  private readonly appendedInTx = new WeakMap<object, Set<string>>();

  constructor(
    readonly pool: Pool,
    options: EventStoreOptions,
  ) {
    this.registry = options.registry;
    this.maxEventBytes = options.maxEventBytes ?? 256 * 1024;
    this.clock = options.clock ?? (() => new Date());
    this.defaultActor = options.defaultActor ?? 'system';
  }

  /**
   * Appends events to one stream atomically: one statement updates the stream's version under the
   * expected-version check and inserts the events, so a conflict writes nothing.
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: { expectedVersion?: ExpectedVersion; metadata?: Partial<EventMetadata> } = {},
    db: Queryable = this.pool,
  ): Promise<AppendResult> {
    if (!streamId || streamId.length > 500) throw new InvalidAppendError('streamId must be 1–500 characters');
    if (events.length === 0) throw new InvalidAppendError('append needs at least one event');
    const expected = options.expectedVersion ?? 'any';
    const rows = events.map((e) => this.prepare(e, options.metadata));
    const n = rows.length;

    const params = [
      streamId,
      n,
      rows.map((r) => r.id),
      rows.map((r) => r.type),
      rows.map((r) => r.schemaVersion),
      rows.map((r) => r.data),
      rows.map((r) => r.metadataJson),
      rows.map((r) => r.metadata.simulationId),
      rows.map((r) => r.metadata.recordedAt),
    ];
    const result = await db
      .query(
      `WITH s AS (${streamVersionSql(expected)})
       INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, simulation_id, recorded_at)
       SELECT $1, s.version - $2 + u.ord, u.id, u.type, u.sv, u.data, u.meta, u.sim, u.at
       FROM s, unnest($3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::uuid[], $9::timestamptz[])
         WITH ORDINALITY AS u(id, type, sv, data, meta, sim, at, ord)
       RETURNING global_position, transaction_id::text AS transaction_id, stream_version, event_id`,
      typeof expected === 'number' && expected > 0 ? [...params, expected] : params,
    )
      .catch((err) => {
        if (err.code === '23505' && err.constraint === 'events_event_id_key') throw new DuplicateEventError(err.detail ?? '');
        throw err;
      });
    if (result.rowCount === 0) {
      const actual = await this.streamVersion(streamId, db);
      throw new ConcurrencyError(streamId, expected, actual);
    }
    if (db === this.pool) this.notifyAppended(rows.map((r) => r.type));
    else {
      // In a caller's transaction: announced by whoever commits it (transaction(), a subscription's batch).
      const types = this.appendedInTx.get(db) ?? this.appendedInTx.set(db, new Set()).get(db)!;
      rows.forEach((r) => types.add(r.type));
    }
    const byId = new Map(result.rows.map((r) => [r.event_id as string, r]));
    const stored = rows.map((r): StoredEvent => {
      const row = byId.get(r.id)!;
      return {
        id: r.id,
        type: r.type,
        schemaVersion: r.schemaVersion,
        data: r.parsed,
        metadata: r.metadata,
        streamId,
        streamVersion: Number(row.stream_version),
        globalPosition: Number(row.global_position),
        transactionId: row.transaction_id,
      };
    });
    return { nextVersion: stored[stored.length - 1].streamVersion, events: stored };
  }

  /**
   * Wakes subscribers after a commit. NOTIFY inside every append transaction would serialise all
   * committers on Postgres's notification-queue lock (measured: 2.5× fewer appends/s with 8
   * writers), so a process sends at most one NOTIFY at a time and coalesces the rest.
   * The payload names the types appended since the last one (undefined types: any), so that a
   * reader wakes (and queries) only for its own types (see wakesFor).
   * Lost wake-ups are harmless: subscribers also poll.
   */
  notifyAppended(types?: Iterable<string>): void {
    if (types === undefined) this.unnotified.add(WAKE_ALL);
    else for (const t of types) this.unnotified.add(t);
    if (this.notifying || this.unnotified.size === 0) return;
    this.notifying = true;
    const send = (): void => {
      let payload = this.unnotified.has(WAKE_ALL) ? WAKE_ALL : [...this.unnotified].join(',');
      if (payload.length > MAX_PAYLOAD) payload = WAKE_ALL;
      this.unnotified.clear();
      this.pool
        .query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, payload])
        .catch(() => undefined)
        .finally(() => {
          if (this.unnotified.size > 0) send();
          else this.notifying = false;
        });
    };
    send();
  }

  /**
   * The types appended through `db` (a transaction's client) since the last call, forgotten here:
   * after its COMMIT, pass them to notifyAppended; after a ROLLBACK, drop them.
   */
  appendedIn(db: Queryable): Set<string> {
    const types = this.appendedInTx.get(db) ?? new Set<string>();
    this.appendedInTx.delete(db);
    return types;
  }

  /** Those of the streams that have events here. */
  async existingStreams(streamIds: readonly string[], db: Queryable = this.pool): Promise<string[]> {
    const r = await db.query('SELECT stream_id FROM streams WHERE stream_id = ANY($1::text[])', [streamIds]);
    return r.rows.map((row) => row.stream_id as string);
  }

  /** The stream's version (its number of events), or null when it has none. */
  async streamVersion(streamId: string, db: Queryable = this.pool): Promise<number | null> {
    const r = await db.query('SELECT version FROM streams WHERE stream_id = $1', [streamId]);
    return r.rowCount ? Number(r.rows[0].version) : null;
  }

  async readStream(streamId: string, range: { fromVersion?: number; toVersion?: number } = {}, db: Queryable = this.pool) {
    const r = await db.query(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND stream_version BETWEEN $2 AND $3 ORDER BY stream_version`,
      [streamId, range.fromVersion ?? 1, range.toVersion ?? Number.MAX_SAFE_INTEGER],
    );
    return r.rows.map((row) => this.toStored(row));
  }

  /**
   * Reads the global log after a checkpoint in commit-safe order: only transactions older than
   * every transaction still running are visible, so a late commit is never skipped.
   */
  async readAll(options: ReadAllOptions = {}, db: Queryable = this.pool): Promise<ReadAllResult> {
    const after = options.after ?? START;
    const filters: string[] = [];
    const params: unknown[] = [after.transactionId, after.position, options.limit ?? 1000];
    if (options.types) {
      params.push(options.types);
      filters.push(`AND e.type = ANY($${params.length}::text[])`);
    }
    if (options.simulationId) {
      params.push(options.simulationId);
      filters.push(`AND e.simulation_id = $${params.length}::uuid`);
    }
    // Whether any matching event is at or past the horizon. The planner cannot estimate
    // `>= xmin` (a function of the snapshot) and would scan the whole log for it; the newest
    // transaction id comes off an index instead. Types are several index ranges: there EXISTS
    // probes each (events_by_type) from the horizon on.
    const heldBack = options.types
      ? `EXISTS (SELECT 1 FROM events e WHERE e.transaction_id >= h.xmin ${filters.join(' ')})`
      : `COALESCE((SELECT max(e.transaction_id) FROM events e WHERE true ${filters.join(' ')}) >= h.xmin, false)`;
    const r = await db.query(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       SELECT h.xmin::text AS horizon,
         ${heldBack} AS held_back,
         e.* FROM h LEFT JOIN LATERAL (
         SELECT ${COLUMNS} FROM events e
         WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
           AND e.transaction_id < h.xmin ${filters.join(' ')}
         ORDER BY e.transaction_id, e.global_position
         LIMIT $3
       ) e ON true`,
      params,
    );
    const horizon: string = r.rows[0].horizon;
    const events = r.rows[0].event_id === null ? [] : r.rows.map((row) => this.toStored(row));
    return { events, horizon, heldBack: r.rows[0].held_back === true };
  }

  /** Events of several streams from one version on (e.g. the replies to pending requests). */
  async readStreams(streamIds: readonly string[], fromVersion: number, db: Queryable = this.pool): Promise<StoredEvent[]> {
    if (streamIds.length === 0) return [];
    const r = await db.query(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) AND stream_version >= $2 ORDER BY global_position`,
      [streamIds, fromVersion],
    );
    return r.rows.map((row) => this.toStored(row));
  }

  async readEvent(eventId: string, db: Queryable = this.pool): Promise<StoredEvent | null> {
    const r = await db.query(`SELECT ${COLUMNS} FROM events WHERE event_id = $1`, [eventId]);
    return r.rowCount ? this.toStored(r.rows[0]) : null;
  }

  /** A simulation's history in position order (for finished histories and replays). */
  async readSimulation(
    simulationId: string,
    range: { afterPosition?: number; toPosition?: number; limit?: number; types?: readonly string[]; recorded?: boolean } = {},
    db: Queryable = this.pool,
  ): Promise<StoredEvent[]> {
    const r = await db.query(
      `SELECT ${COLUMNS} FROM events
       WHERE simulation_id = $1 AND global_position > $2 AND global_position <= $3 AND ($5::text[] IS NULL OR type = ANY($5::text[]))
       ORDER BY global_position LIMIT $4`,
      [simulationId, range.afterPosition ?? 0, range.toPosition ?? Number.MAX_SAFE_INTEGER, range.limit ?? 10_000, range.types ?? null],
    );
    // recorded: data under its own schema version (not upcast), for copying the history elsewhere unchanged.
    return r.rows.map((row) => (range.recorded ? this.toRecorded(row) : this.toStored(row)));
  }

  /** How many of a simulation's events are at or before `position` (a cut counted, not placed). */
  async countSimulationEvents(simulationId: string, toPosition: number, db: Queryable = this.pool): Promise<number> {
    const r = await db.query('SELECT count(*)::int AS n FROM events WHERE simulation_id = $1 AND global_position <= $2', [simulationId, toPosition]);
    return r.rows[0].n;
  }

  /** The position of a simulation's n-th event (1-based, position order), or null when it has fewer. */
  async positionOfSimulationEvent(simulationId: string, n: number, db: Queryable = this.pool): Promise<number | null> {
    const r = await db.query('SELECT global_position FROM events WHERE simulation_id = $1 ORDER BY global_position OFFSET $2 LIMIT 1', [simulationId, n - 1]);
    return r.rowCount ? Number(r.rows[0].global_position) : null;
  }

  /** Several streams' events in position order as they were recorded (not upcast). */
  async readStreamsRecorded(streamIds: readonly string[], db: Queryable = this.pool): Promise<StoredEvent[]> {
    const r = await db.query(`SELECT ${COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) ORDER BY global_position`, [streamIds]);
    return r.rows.map((row) => this.toRecorded(row));
  }

  /**
   * Writes events recorded elsewhere as they are (ids, streams, versions, schema versions, data,
   * metadata), in the given order, and moves each stream's version to its highest. The caller
   * validated them; a stream version or event id already taken here is refused by the unique
   * indexes (DuplicateEventError for an id). Returns each event's position here, in order.
   */
  async insertRecorded(events: readonly RecordedEvent[], db: Queryable): Promise<number[]> {
    if (events.length === 0) return [];
    const r = await db
      .query(
        `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, simulation_id, recorded_at)
         SELECT u.stream, u.version, u.id, u.type, u.sv, u.data, u.meta, u.sim, u.at
         FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::uuid[], $9::timestamptz[])
           WITH ORDINALITY AS u(stream, version, id, type, sv, data, meta, sim, at, ord)
         ORDER BY u.ord
         RETURNING global_position, event_id`,
        [
          events.map((e) => e.streamId),
          events.map((e) => e.streamVersion),
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => e.schemaVersion),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
          events.map((e) => e.metadata.simulationId),
          events.map((e) => e.metadata.recordedAt),
        ],
      )
      .catch((err) => {
        if (err.code === '23505' && err.constraint === 'events_event_id_key') throw new DuplicateEventError(err.detail ?? '');
        throw err;
      });
    const top = new Map<string, number>();
    for (const e of events) top.set(e.streamId, Math.max(top.get(e.streamId) ?? 0, e.streamVersion));
    await db.query(
      `INSERT INTO streams AS st (stream_id, version) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (stream_id) DO UPDATE SET version = GREATEST(st.version, EXCLUDED.version)`,
      [[...top.keys()], [...top.values()]],
    );
    const positions = new Map(r.rows.map((row) => [row.event_id as string, Number(row.global_position)]));
    const types = this.appendedInTx.get(db) ?? this.appendedInTx.set(db, new Set()).get(db)!;
    events.forEach((e) => types.add(e.type));
    return events.map((e) => positions.get(e.id)!);
  }

  /**
   * Runs reads in one REPEATABLE READ, READ ONLY transaction, so that they all see the same events;
   * `snapshot` is its MVCC snapshot (pg_current_snapshot), for `completeUpTo` to tell later whether
   * what it saw of a simulation was all there will ever be.
   */
  consistentRead<T>(fn: (tx: PoolClient, snapshot: string) => Promise<T>): Promise<T> {
    const read = this.runInTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', async (client) => {
      const snapshot: string = (await client.query('SELECT pg_current_snapshot()::text AS snapshot')).rows[0].snapshot;
      return fn(client, snapshot);
    });
    return read.then((r) => r.result);
  }

  /**
   * Whether a read under `snapshot` saw every event the simulation will ever have up to `position`:
   * true when no event there is invisible to it, false when one is (it committed late), null when a
   * transaction that was running then still runs (it may yet commit an event below the position).
   * An append takes its stream's row (and so its xid) before its positions, so a transaction that
   * had no xid when the snapshot was taken can only add later positions.
   */
  async completeUpTo(snapshot: string, simulationId: string, position: number, db: Queryable = this.pool): Promise<boolean | null> {
    const settled = await db.query('SELECT pg_snapshot_xmin(pg_current_snapshot()) >= pg_snapshot_xmax($1::pg_snapshot) AS settled', [snapshot]);
    if (!settled.rows[0].settled) return null;
    // A new statement: its snapshot sees everything those transactions committed.
    const late = await db.query(
      `SELECT EXISTS (
         SELECT 1 FROM events
         WHERE transaction_id >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(transaction_id, $1::pg_snapshot)
           AND simulation_id = $2 AND global_position <= $3
       ) AS late`,
      [snapshot, simulationId, position],
    );
    return !late.rows[0].late;
  }

  /** Stores bytes under their sha256 and returns the hash; storing the same bytes twice is a no-op. */
  async putBlob(content: Buffer | string, db: Queryable = this.pool): Promise<string> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const hash = createHash('sha256').update(bytes).digest('hex');
    await db.query('INSERT INTO blobs (hash, content, size) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING', [
      hash,
      bytes,
      bytes.length,
    ]);
    return hash;
  }

  async getBlob(hash: string, db: Queryable = this.pool): Promise<Buffer | null> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return null;
    const r = await db.query('SELECT content FROM blobs WHERE hash = $1', [hash]);
    return r.rowCount ? (r.rows[0].content as Buffer) : null;
  }

  /** The hashes of `hashes` that have no blob (one query, no content read). */
  async missingBlobs(hashes: readonly string[], db: Queryable = this.pool): Promise<string[]> {
    if (!hashes.length) return [];
    const r = await db.query('SELECT hash FROM blobs WHERE hash = ANY($1::text[])', [[...new Set(hashes)]]);
    const stored = new Set(r.rows.map((row) => row.hash as string));
    return hashes.filter((h) => !stored.has(h));
  }

  /** Runs fn in one transaction on one client; commits on success, rolls back on any error. */
  async transaction<T>(fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    const { result, appended } = await this.runInTransaction('BEGIN', fn);
    if (appended.size > 0) this.notifyAppended(appended);
    return result;
  }

  /**
   * fn on one client between `begin` and COMMIT; ROLLBACK on any error; the client released either
   * way. `appended`: the event types fn appended through the client (committed).
   */
  private async runInTransaction<T>(begin: string, fn: (tx: PoolClient) => Promise<T>): Promise<{ result: T; appended: Set<string> }> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return { result, appended: this.appendedIn(client) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.appendedIn(client); // rolled back: nothing to announce (and the client is reused)
      client.release();
    }
  }

  toStored(row: any): StoredEvent {
    return this.toRecorded(row, this.registry.upcast(row.type, row.schema_version, row.data));
  }

  /** A row as recorded: data under its own schema version (unless the caller gives it upcast). */
  private toRecorded(row: any, data: unknown = row.data): StoredEvent {
    return {
      id: row.event_id,
      type: row.type,
      schemaVersion: row.schema_version,
      data,
      metadata: row.metadata,
      streamId: row.stream_id,
      streamVersion: Number(row.stream_version),
      globalPosition: Number(row.global_position),
      transactionId: row.transaction_id,
    };
  }

  private prepare(event: NewEvent, shared: Partial<EventMetadata> | undefined) {
    const { data: parsed, version } = this.registry.validate(event.type, event.data);
    const data = JSON.stringify(parsed);
    const bytes = Buffer.byteLength(data, 'utf8');
    if (bytes > this.maxEventBytes) throw new EventTooLargeError(event.type, bytes, this.maxEventBytes);
    const id = event.id ?? randomUUID();
    const candidate = {
      simulationId: null,
      correlationId: id,
      causationId: null,
      actor: this.defaultActor,
      recordedAt: this.clock().toISOString(),
      ...shared,
      ...event.metadata,
    };
    const checked = eventMetadataSchema.safeParse(candidate);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new EventSchemaError(event.type, `metadata.${issue.path.join('.')}`, issue.message);
    }
    return { id, type: event.type, schemaVersion: version, data, parsed, metadata: checked.data, metadataJson: JSON.stringify(checked.data) };
  }
}

/** The CTE that moves the stream's version, yielding no row when the expectation fails. */
function streamVersionSql(expected: ExpectedVersion): string {
  if (expected === 'any')
    return `INSERT INTO streams AS st (stream_id, version) VALUES ($1, $2)
            ON CONFLICT (stream_id) DO UPDATE SET version = st.version + $2 RETURNING version`;
  if (expected === 'no_stream' || expected === 0)
    return `INSERT INTO streams (stream_id, version) VALUES ($1, $2) ON CONFLICT (stream_id) DO NOTHING RETURNING version`;
  if (expected === 'exists') return `UPDATE streams SET version = version + $2 WHERE stream_id = $1 RETURNING version`;
  if (!Number.isInteger(expected) || expected < 0) throw new InvalidAppendError(`expectedVersion ${expected} is not valid`);
  return `UPDATE streams SET version = version + $2 WHERE stream_id = $1 AND version = $10 RETURNING version`;
}
