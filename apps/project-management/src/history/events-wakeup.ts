import { Inject, Injectable, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { EVENTS_CHANNEL, StructuredLogger } from '@swe-sim/event-store';
import { CONFIG, LOGGER } from '@swe-sim/service-runtime';

/**
 * One LISTEN connection per process, opened when the first live stream needs it, that wakes every
 * waiting stream on the store's NOTIFY. Only a wake-up: streams poll as well, so a lost connection
 * (reopened on the next wait) delays events by at most the poll interval.
 */
@Injectable()
export class EventsWakeup implements OnModuleDestroy, OnApplicationShutdown {
  private listener: Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    @Inject(CONFIG) private readonly config: { DATABASE_URL: string },
    @Inject(LOGGER) private readonly logger: StructuredLogger,
  ) {}

  /** Resolves on the next NOTIFY, after timeoutMs, or when the signal aborts. */
  async wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (!this.listener && !this.closed) await this.connect().catch(() => undefined);
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done);
      this.waiters.add(done);
    });
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new Client({ connectionString: this.config.DATABASE_URL });
      client.on('notification', () => {
        for (const wake of [...this.waiters]) wake();
      });
      client.on('error', (err) => {
        this.logger.warn('event stream listener lost; polling until it reconnects', { error: err.message });
        this.listener = null;
        client.end().catch(() => undefined);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        this.listener = client;
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  onModuleDestroy(): void {
    this.closed = true;
    for (const wake of [...this.waiters]) wake();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
  }
}
