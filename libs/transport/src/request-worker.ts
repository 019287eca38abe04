import { MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, isObservable } from 'rxjs';
import { RpcReplied, rpcStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore, StoredEvent, StructuredLogger } from '@swe-sim/event-store';
import { EventStoreContext } from './event-store.context';
import { PendingRequest, RequestInboxRepository } from './request-inbox.repository';

/** `@MessagePattern(pattern, { interrupted: 'fail' })`: a request whose earlier run was cut off is answered with an error, not re-run. */
export interface MessageHandlerExtras {
  interrupted?: 'retry' | 'fail';
}

export interface RequestWorkerOptions {
  store: EventStore;
  service: string;
  concurrency: number;
  pollIntervalMs: number;
  handlerFor: (pattern: string) => MessageHandler | null;
  /** Only the instance that owns the service's subscription answers requests. */
  isActive: () => boolean;
  logger: StructuredLogger;
  /** How long stop() waits for requests in flight (default 5 s). */
  shutdownGraceMs?: number;
}

/**
 * Runs accepted requests concurrently, outside the subscription (handlers may take minutes),
 * and answers each exactly once: the reply is version 2 of the request's stream.
 */
export class RequestWorker {
  private readonly inbox = new RequestInboxRepository();
  private readonly inFlight = new Map<string, Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** Counts wake() calls (new requests accepted), so a read knows whether one came in meanwhile. */
  private wakes = 0;
  /** The inbox may hold pending requests this worker has not taken (it was full, or one came in). */
  private backlog = true;

  constructor(private readonly options: RequestWorkerOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops taking requests and gives those in flight a grace period. What is still running then is
   * left pending in the inbox: the next active instance runs it again (or answers RPC_INTERRUPTED).
   */
  async stop(graceMs = this.options.shutdownGraceMs ?? 5000): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.inFlight.values()), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    if (this.inFlight.size > 0) {
      this.options.logger.warn('requests still running after the shutdown grace are left pending', { service: this.options.service, graceMs, requests: this.inFlight.size });
    }
  }

  /** New requests were accepted: look at the inbox now. */
  wake(): void {
    this.wakes++;
    this.backlog = true;
    this.woken = true;
    this.wakeUp?.();
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }

  private async run(): Promise<void> {
    const { store, service, concurrency, logger } = this.options;
    while (this.running) {
      try {
        const free = concurrency - this.inFlight.size;
        if (this.options.isActive() && free > 0) {
          this.woken = false;
          const wakes = this.wakes;
          const rows = await this.inbox.pending(store.pool, service, free, [...this.inFlight.keys()]);
          // Fewer than asked and nothing accepted meanwhile: nothing else is waiting, and a
          // finished request need not look again (that was one query per request for nothing).
          this.backlog = rows.length === free || this.wakes !== wakes;
          for (const row of rows) {
            const job = this.handle(row).finally(() => {
              this.inFlight.delete(row.requestId);
              if (this.backlog) this.wake();
            });
            this.inFlight.set(row.requestId, job);
          }
        }
      } catch (err) {
        logger.error('request worker error', { service, error: (err as Error).message });
      }
      await this.idle();
    }
  }

  private async idle(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.pollIntervalMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = null;
    this.woken = false;
  }

  private async handle(row: PendingRequest): Promise<void> {
    const { store, service, logger } = this.options;
    try {
      // Independent: one round trip instead of two before the handler starts.
      const [earlier, event] = await Promise.all([this.inbox.startAttempt(store.pool, service, row.requestId), store.readEvent(row.requestId)]);
      const handler = this.options.handlerFor(row.pattern);
      if (!event || !handler) {
        return await this.reply(row, event, { ok: false, error: { code: 'RPC_NO_HANDLER', message: `No handler for ${row.pattern}` } });
      }
      const extras = (handler.extras ?? {}) as MessageHandlerExtras;
      if (earlier > 0 && extras.interrupted === 'fail') {
        return await this.reply(row, event, {
          ok: false,
          error: { code: 'RPC_INTERRUPTED', message: `${row.pattern} was interrupted (the service stopped while handling it)` },
        });
      }
      let outcome: { ok: boolean; response?: unknown; error?: { code: string; message: string } };
      try {
        const result = await handler(event.data, new EventStoreContext([event, null, store]));
        const value = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
        outcome = { ok: true, response: value === undefined ? null : JSON.parse(JSON.stringify(value)) };
      } catch (err) {
        const e = err as { code?: unknown; message?: string };
        outcome = { ok: false, error: { code: typeof e.code === 'string' ? e.code : 'RPC_HANDLER_FAILED', message: e.message ?? String(err) } };
      }
      await this.reply(row, event, outcome);
    } catch (err) {
      // Left pending: the next pass (or the next active instance) tries again.
      logger.error('request not answered', { service, requestId: row.requestId, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async reply(
    row: PendingRequest,
    request: StoredEvent | null,
    outcome: { ok: boolean; response?: unknown; error?: { code: string; message: string } },
  ): Promise<void> {
    const { store, service } = this.options;
    const metadata = {
      simulationId: request?.metadata.simulationId ?? null,
      correlationId: request?.metadata.correlationId ?? row.requestId,
      causationId: row.requestId,
      actor: service,
    };
    const data = { requestId: row.requestId, pattern: row.pattern, ...outcome };
    try {
      await store.transaction(async (tx) => {
        await store.append(rpcStream(row.requestId), [{ type: RpcReplied.type, data }], { expectedVersion: 1, metadata }, tx);
        await this.inbox.complete(tx, service, row.requestId);
      });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      await this.inbox.complete(store.pool, service, row.requestId); // already answered: only mark it done
    }
  }
}
