import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { EventDefinition, createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { EventStoreClient, EventStoreServer } from '@swe-sim/transport';
import { BaseConfig } from './config';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ServiceMetrics } from './service-metrics';
import { JsonLogger } from './json-logger';
import { CONFIG, LOGGER, PG_POOL, SERVICE_NAME } from './tokens';

export interface RuntimeOptions {
  service: string;
  config: BaseConfig;
  logger: JsonLogger;
  /** Event types beyond libs/contracts (test fixtures only). */
  extraEvents?: readonly EventDefinition[];
}

class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly client: EventStoreClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    await this.pool.end();
  }
}

/** What every service has: config, JSON logger, Postgres pool, event store, transport, /health. */
@Global()
@Module({})
export class RuntimeModule {
  static forService({ service, config, logger, extraEvents }: RuntimeOptions): DynamicModule {
    const registry = createEventRegistry(extraEvents);
    const connection = { connectionString: config.DATABASE_URL };
    return {
      module: RuntimeModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: service },
        { provide: LOGGER, useValue: logger },
        {
          provide: PG_POOL,
          useFactory: () => {
            const pool = new Pool({ ...connection, max: config.DB_POOL_MAX });
            pool.on('error', (err) => logger.error('idle database connection failed', { error: err.message }));
            return pool;
          },
        },
        {
          provide: EventStore,
          inject: [PG_POOL],
          useFactory: (pool: Pool) => new EventStore(pool, { registry, maxEventBytes: config.EVENT_MAX_BYTES, defaultActor: service }),
        },
        {
          provide: EventStoreServer,
          inject: [EventStore],
          useFactory: (store: EventStore) =>
            new EventStoreServer({
              store,
              connection,
              service,
              logger,
              batchSize: config.SUBSCRIPTION_BATCH_SIZE,
              pollIntervalMs: config.SUBSCRIPTION_POLL_MS,
              requestConcurrency: config.REQUEST_CONCURRENCY,
              shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
            }),
        },
        {
          provide: EventStoreClient,
          inject: [EventStore],
          useFactory: (store: EventStore) => new EventStoreClient({ store, connection, service, requestTimeoutMs: config.RPC_TIMEOUT_MS }),
        },
        ConnectionCloser,
        ServiceMetrics,
      ],
      exports: [CONFIG, SERVICE_NAME, LOGGER, PG_POOL, EventStore, EventStoreServer, EventStoreClient, ServiceMetrics],
    };
  }
}
