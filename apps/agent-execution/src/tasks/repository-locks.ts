import { Client, ClientConfig } from 'pg';
import { KeyedMutex } from '@swe-sim/kit';
import { JsonLogger } from '@swe-sim/service-runtime';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One holder at a time of a simulation's repository work (its set-up, its integrations).
 *
 * In this process the waiters queue on a KeyedMutex and hold nothing. Across instances, a session
 * advisory lock is taken with `pg_try_advisory_lock` on ONE connection of its own, outside the pool,
 * polled while another instance holds the key. The work inside needs the pool (appends, reads, the
 * sandbox's replies): holding a pooled connection under a blocking `pg_advisory_lock` while it ran
 * starved the pool as soon as ten simulations set up at once, and nothing moved again.
 *
 * If the lock connection dies, Postgres drops its locks; holders carry on (only this instance
 * answers agent-execution's requests while it holds the subscription) and it reconnects.
 */
export class RepositoryLocks {
  private readonly local = new KeyedMutex();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;

  constructor(
    private readonly connection: ClientConfig,
    private readonly log: Pick<JsonLogger, 'warn'>,
  ) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      await this.acquire(key);
      try {
        return await fn();
      } finally {
        await this.release(key);
      }
    });
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.connecting = null;
    await c?.end().catch(() => undefined);
  }

  private async acquire(key: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await this.connect();
        const r = await client.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key]);
        if (r.rows[0].ok) return;
      } catch (err) {
        this.drop();
        this.log.warn('repository lock: database unavailable, retrying', { key, attempt, error: (err as Error).message });
      }
      await sleep(Math.min(1000, 10 * 2 ** Math.min(attempt, 7)));
    }
  }

  private async release(key: string): Promise<void> {
    try {
      await this.client?.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    } catch {
      this.drop(); // the session is gone, and its locks with it
    }
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client(this.connection);
      client.on('error', () => this.drop());
      try {
        await client.connect();
      } catch (err) {
        this.connecting = null;
        await client.end().catch(() => undefined);
        throw err;
      }
      this.client = client;
      this.connecting = null;
      return client;
    })();
    return this.connecting;
  }

  private drop(): void {
    const c = this.client;
    this.client = null;
    this.connecting = null;
    c?.end().catch(() => undefined);
  }
}
