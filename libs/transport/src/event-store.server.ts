import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { ClientConfig } from 'pg';
import { EventDeadLettered, deadLetterStream } from '@swe-sim/contracts';
import { EventStore, HandlerContext, Queryable, StoredEvent, StructuredLogger, Subscription, causedBy, silentLogger } from '@swe-sim/event-store';
import { EventStoreContext } from './event-store.context';
import { RequestInboxRepository } from './request-inbox.repository';
import { RequestWorker } from './request-worker';

export interface EventStoreServerOptions {
  store: EventStore;
  /** Connection settings for the subscription's own session (it holds the advisory lock). */
  connection: ClientConfig;
  /** The service's name: its subscription's name and its inbox key. */
  service: string;
  logger?: StructuredLogger;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Requests (`@MessagePattern`) handled at once. */
  requestConcurrency?: number;
  /** How long close() lets requests in flight finish (default 5 s); none in flight: no wait. */
  shutdownGraceMs?: number;
}

/**
 * @nestjs/microservices transport over the event store. One subscription per service reads the
 * types its handlers name: `@EventPattern` handlers run inside the subscription's transaction
 * (exactly-once effects in Postgres), `@MessagePattern` requests go to a durable inbox and are
 * answered concurrently by the RequestWorker.
 */
export class EventStoreServer extends Server implements CustomTransportStrategy {
  private subscription: Subscription | null = null;
  private worker: RequestWorker | null = null;
  private readonly inbox = new RequestInboxRepository();
  private readonly log: StructuredLogger;

  constructor(private readonly options: EventStoreServerOptions) {
    super();
    this.log = options.logger ?? silentLogger;
  }

  listen(callback: (...args: unknown[]) => void): void {
    const { store, service } = this.options;
    const patterns = [...this.messageHandlers.keys()];
    const unknown = patterns.filter((p) => !store.registry.has(p));
    if (unknown.length) {
      callback(new Error(`${service}: handlers for unknown event types (define them in libs/contracts): ${unknown.join(', ')}`));
      return;
    }
    if (patterns.length === 0) {
      callback(); // nothing to consume (yet): no subscription, no connection held
      return;
    }
    this.subscription = new Subscription(store, this.options.connection, {
      name: service,
      types: patterns,
      handler: (event, ctx) => this.dispatch(event, ctx),
      batchSize: this.options.batchSize,
      pollIntervalMs: this.options.pollIntervalMs,
      logger: this.log,
      // Only a batch that accepted requests gives the worker something new to take.
      afterCommit: (events) => {
        if (events.some((e) => this.isRequest(e.type))) this.worker?.wake();
      },
      onParked: (event, error, attempts, db) => recordDeadLetter(store, service, event, error, attempts, db),
    });
    this.worker = new RequestWorker({
      store,
      service,
      concurrency: this.options.requestConcurrency ?? 64,
      pollIntervalMs: this.options.pollIntervalMs ?? 1000,
      handlerFor: (pattern) => this.getHandlerByPattern(pattern),
      isActive: () => this.subscription?.isActive() ?? false,
      logger: this.log,
      shutdownGraceMs: this.options.shutdownGraceMs,
    });
    this.subscription.start();
    this.worker.start();
    callback();
  }

  /** Stops reading and taking requests; requests in flight get the grace (at the same time as the subscription's last batch). */
  async close(): Promise<void> {
    await Promise.all([this.subscription?.stop(), this.worker?.stop()]);
  }

  on(): never {
    throw new Error('EventStoreServer has no events to listen to; read its status() instead');
  }

  unwrap<T>(): T {
    return this.options.store as T;
  }

  /** For /health: whether this instance is the active one, its checkpoint and lag, open requests. */
  async health() {
    const sub = this.subscription;
    return {
      subscription: sub?.status() ?? null,
      lag: sub ? await sub.lag() : null,
      deadLetters: sub ? await sub.deadLetters() : 0,
      pendingRequests: await this.inbox.pendingCount(this.options.store.pool, this.options.service),
      requestsInFlight: this.worker?.inFlightCount() ?? 0,
    };
  }

  /** A `@MessagePattern` type: its events are requests, accepted into the inbox. */
  private isRequest(type: string): boolean {
    const handler = this.getHandlerByPattern(type);
    return handler !== null && !handler.isEventHandler;
  }

  private async dispatch(event: StoredEvent, ctx: HandlerContext): Promise<void> {
    // An imported event happened in another installation, and what it caused came in with it: run
    // again here it would re-do work (a request, a container, an LLM call) and collide with its results.
    if (event.metadata.importedFrom) return;
    const handler: MessageHandler | null = this.getHandlerByPattern(event.type);
    if (!handler) return;
    if (!handler.isEventHandler) {
      await this.inbox.accept(ctx.tx, this.options.service, event.id, event.type);
      return;
    }
    // Nest chains several handlers of one pattern through handler.next; the head runs them all.
    const result = await handler(event.data, new EventStoreContext([event, ctx, this.options.store]));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}

/**
 * Records that this service gave up on an event (EventDeadLettered, with the event's simulation),
 * in the transaction that parks it. Not for a parked EventDeadLettered itself: no chain of them.
 */
async function recordDeadLetter(store: EventStore, subscription: string, event: StoredEvent, error: Error, attempts: number, db: Queryable): Promise<void> {
  if (event.type === EventDeadLettered.type || !store.registry.has(EventDeadLettered.type)) return;
  const data = { subscription, eventId: event.id, type: event.type, attempts, error: error.message.slice(0, 4000) };
  await store.append(deadLetterStream(subscription, event.id), [{ type: EventDeadLettered.type, data }], {
    expectedVersion: 'any',
    metadata: causedBy(event, subscription),
  }, db);
}
