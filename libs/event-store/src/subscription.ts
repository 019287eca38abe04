import { Client, ClientConfig } from 'pg';
import { EventMetadata } from '@swe-sim/contracts';
import { CheckpointRepository } from './checkpoint-repository';
import { EVENTS_CHANNEL, EventStore, Queryable, wakesFor } from './event-store';
import { StructuredLogger, silentLogger } from './logger';
import { isConnectionError } from './connection-errors';
import { AppendResult, Checkpoint, ExpectedVersion, NewEvent, StoredEvent, causedBy } from './types';

/** What a handler gets: the transaction its writes must use, and an append bound to it. */
export interface HandlerContext {
  readonly event: StoredEvent;
  readonly tx: Client;
  /** Appends in the handler's transaction, with correlation and causation taken from the event. */
  append(
    streamId: string,
    events: readonly NewEvent[],
    options?: { expectedVersion?: ExpectedVersion; metadata?: Partial<EventMetadata> },
  ): Promise<AppendResult>;
}

export type SubscriptionHandler = (event: StoredEvent, ctx: HandlerContext) => Promise<void>;

export interface SubscriptionOptions {
  name: string;
  handler: SubscriptionHandler;
  /** Only these event types are read (a new subscription still starts from the beginning). */
  types?: readonly string[];
  batchSize?: number;
  /** Fallback when a NOTIFY was missed; NOTIFY is the main wake-up. */
  pollIntervalMs?: number;
  /** How often a standby instance tries to become the active one. */
  lockRetryMs?: number;
  /** Failed attempts on one event before it is parked as a dead letter and passed. */
  maxAttempts?: number;
  /** Called in the transaction that parks an event as a dead letter (e.g. to record that it was). */
  onParked?: (event: StoredEvent, error: Error, attempts: number, db: Queryable) => Promise<void>;
  /** Called after each committed batch (e.g. to wake work queued by the handler). */
  afterCommit?: (events: readonly StoredEvent[]) => void;
  logger?: StructuredLogger;
}

export interface SubscriptionStatus {
  name: string;
  active: boolean;
  checkpoint: Checkpoint | null;
  handled: number;
  lastError: string | null;
}

/**
 * A named, durable, single-active reader of the global log.
 *
 * - One connection per subscription holds a session advisory lock (only its holder processes;
 *   others wait as standbys and take over when the holder's connection dies), listens for NOTIFY,
 *   and runs the batch transactions.
 * - A batch's handler writes and the checkpoint commit together, so a kill at any line either
 *   keeps the whole batch or none of it. The checkpoint moves by compare-and-set as a second guard.
 */
export class Subscription {
  private readonly checkpoints = new CheckpointRepository();
  private readonly log: StructuredLogger;
  private client: Client | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private active = false;
  private checkpoint: Checkpoint | null = null;
  private handled = 0;
  private lastError: string | null = null;
  private wake: (() => void) | null = null;
  private woken = false;
  /** The last read saw matching events held back behind an open transaction. */
  private heldBack = false;
  private readonly attempts = new Map<string, number>();
  /** After a failed batch, events are taken one at a time up to this position to find the culprit. */
  private isolateUntil: Checkpoint | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly connection: ClientConfig,
    private readonly options: SubscriptionOptions,
  ) {
    this.log = options.logger ?? silentLogger;
  }

  get name(): string {
    return this.options.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    this.loop = null;
  }

  isActive(): boolean {
    return this.active;
  }

  status(): SubscriptionStatus {
    return { name: this.name, active: this.active, checkpoint: this.checkpoint, handled: this.handled, lastError: this.lastError };
  }

  /** Events this subscription parked after repeated failures (each stops what depended on it). */
  deadLetters(): Promise<number> {
    return this.checkpoints.deadLetterCount(this.store.pool, this.name);
  }

  /** Events still to be handled, read from the stored checkpoint (so standbys answer too). */
  lag(): Promise<number> {
    return this.checkpoints.lag(this.store.pool, this.name, this.options.types);
  }

  private notify(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        await this.connect();
        await this.acquireLock();
        if (!this.running) break;
        this.active = true;
        this.checkpoint = await this.checkpoints.ensure(this.client!, this.name);
        this.log.info('subscription active', { subscription: this.name, checkpoint: this.checkpoint });
        backoff = 100;
        let heldBackWait = HELD_BACK_FIRST_WAIT_MS;
        while (this.running) {
          const more = await this.processBatch();
          if (more) continue;
          const poll = this.options.pollIntervalMs ?? 1000;
          if (this.heldBack) {
            // Committed events wait behind an open transaction: look again soon (backing off).
            await this.idle(Math.min(heldBackWait, poll));
            heldBackWait = Math.min(heldBackWait * 2, poll);
          } else {
            heldBackWait = HELD_BACK_FIRST_WAIT_MS;
            await this.idle(poll);
          }
        }
      } catch (err) {
        this.lastError = (err as Error).message;
        this.log.error('subscription error; reconnecting', { subscription: this.name, error: this.lastError });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      } finally {
        this.active = false;
        await this.disconnect();
      }
    }
  }

  private async connect(): Promise<void> {
    const client = new Client(this.connection);
    // Only appends of our types wake us: with four services appending all the time, waking for
    // every commit anywhere was most of the queries a service made (a read that found nothing).
    const types = this.options.types ? new Set(this.options.types) : undefined;
    client.on('notification', (msg) => {
      if (wakesFor(msg.payload, types)) this.notify();
    });
    // A dropped connection releases the lock on the server; stop acting as the active instance.
    client.on('error', (err) => {
      this.lastError = err.message;
      this.active = false;
      this.notify();
    });
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async acquireLock(): Promise<void> {
    while (this.running) {
      const r = await this.client!.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`subscription:${this.name}`]);
      if (r.rows[0].ok) return;
      await this.idle(this.options.lockRetryMs ?? 1000);
    }
  }

  private async idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = null;
    this.woken = false;
  }

  /** Reads and handles one batch; true when there may be more to read at once. */
  private async processBatch(): Promise<boolean> {
    if (!this.active) throw new Error('lost the subscription connection');
    const client = this.client!;
    const from = this.checkpoint!;
    const isolating = this.isolateUntil !== null && compare(from, this.isolateUntil) < 0;
    const limit = isolating ? 1 : this.options.batchSize ?? 100;
    this.woken = false;
    const { events, horizon, heldBack } = await this.store.readAll({ after: from, limit, types: this.options.types }, client);
    this.heldBack = heldBack;
    if (events.length === 0) {
      await this.skipToHorizon(horizon);
      return false;
    }
    const last = events[events.length - 1];
    const to: Checkpoint = { transactionId: last.transactionId, position: last.globalPosition };
    try {
      await client.query('BEGIN');
      for (const event of events) await this.options.handler(event, this.contextFor(event, client));
      if (!(await this.checkpoints.advance(client, this.name, from, to))) throw new CheckpointMovedError(this.name);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.store.appendedIn(client); // rolled back: nothing to announce
      // The database went away (a restart, a cut connection): not the events' fault; reconnect and read
      // again. Only when our own connection is really gone — a handler's call to something else that
      // is down must still count against its event, or a poisoned event would be retried for ever.
      if (err instanceof CheckpointMovedError || (isConnectionError(err) && !(await this.connectionAlive(client)))) throw err;
      await this.onHandlerFailure(events, err as Error, from, to);
      return true;
    }
    // What the handlers appended (ctx.append, ctx.request, the store on ctx.tx) is announced now.
    const appended = this.store.appendedIn(client);
    if (appended.size > 0) this.store.notifyAppended(appended);
    this.checkpoint = to;
    this.handled += events.length;
    events.forEach((e) => this.attempts.delete(e.id));
    this.options.afterCommit?.(events);
    return events.length === limit;
  }

  private async connectionAlive(client: Client): Promise<boolean> {
    if (!this.active) return false;
    return client.query('SELECT 1').then(
      () => true,
      () => false,
    );
  }

  private async onHandlerFailure(events: StoredEvent[], err: Error, from: Checkpoint, to: Checkpoint): Promise<void> {
    this.lastError = err.message;
    if (events.length > 1) {
      this.isolateUntil = to;
      return;
    }
    const event = events[0];
    const attempts = (this.attempts.get(event.id) ?? 0) + 1;
    this.attempts.set(event.id, attempts);
    const max = this.options.maxAttempts ?? 5;
    this.log.warn('handler failed', { subscription: this.name, eventId: event.id, type: event.type, attempts, error: err.message });
    if (attempts < max) {
      await sleep(Math.min(50 * 2 ** attempts, 2000));
      return;
    }
    // Parked, not lost: the dead letter names the event; the subscription moves on.
    const client = this.client!;
    await client.query('BEGIN');
    try {
      await this.checkpoints.park(client, this.name, event.id, err.stack ?? err.message, attempts);
      await this.options.onParked?.(event, err, attempts, client);
      if (!(await this.checkpoints.advance(client, this.name, from, to))) throw new CheckpointMovedError(this.name);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.store.appendedIn(client);
      throw e;
    }
    // The dead letter's record (onParked may append EventDeadLettered) is announced like a batch's.
    const appended = this.store.appendedIn(client);
    if (appended.size > 0) this.store.notifyAppended(appended);
    this.log.error('event parked as dead letter', { subscription: this.name, eventId: event.id, type: event.type });
    this.checkpoint = to;
    this.attempts.delete(event.id);
  }

  /**
   * With a type filter, reads skip other events; when the log holds none of ours below the
   * horizon, the checkpoint can jump there. Done only every so many transactions to avoid a
   * write per wake-up.
   */
  private async skipToHorizon(horizon: string): Promise<void> {
    const from = this.checkpoint!;
    if (BigInt(horizon) - BigInt(from.transactionId) < 1000n) return;
    const to: Checkpoint = { transactionId: horizon, position: 0 };
    if (await this.checkpoints.advance(this.client!, this.name, from, to)) this.checkpoint = to;
    else throw new CheckpointMovedError(this.name);
  }

  private contextFor(event: StoredEvent, tx: Client): HandlerContext {
    return {
      event,
      tx,
      append: (streamId, events, options = {}) => {
        const metadata = { ...causedBy(event, this.name), ...options.metadata };
        return this.store.append(streamId, events, { expectedVersion: options.expectedVersion, metadata }, tx);
      },
    };
  }
}

export class CheckpointMovedError extends Error {
  constructor(name: string) {
    super(`Checkpoint of subscription ${name} was moved by another instance`);
  }
}

/** Order of two checkpoints in commit order. */
function compare(a: Checkpoint, b: Checkpoint): number {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.position - b.position;
}

/** First re-read after events were held back (then doubling up to the poll interval). */
const HELD_BACK_FIRST_WAIT_MS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
