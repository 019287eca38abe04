import 'reflect-metadata';
import { INestApplication, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { EventDefinition } from '@swe-sim/contracts';
import { EventStoreServer } from '@swe-sim/transport';
import { BaseConfig, ConfigError, baseConfigSchema, loadConfig } from './config';
import { JsonLogger } from './json-logger';
import { RpcErrorFilter } from './rpc-error.filter';
import { RuntimeModule } from './runtime.module';

export interface ServiceDefinition {
  service: string;
  defaultPort: number;
  imports: Type<unknown>[];
  /** Controllers of the root module (for small services such as test fixtures). */
  controllers?: Type<unknown>[];
  extraEvents?: readonly EventDefinition[];
  /** The app's own settings on top of the base ones. */
  configSchema?: z.ZodObject<z.ZodRawShape>;
}

@Module({})
class ServiceRootModule {}

/** Starts one service as its own process: config check, HTTP (with /health), event-store transport. */
export async function bootstrapService(def: ServiceDefinition): Promise<INestApplication> {
  const schema = def.configSchema ? baseConfigSchema(def.defaultPort).merge(def.configSchema) : baseConfigSchema(def.defaultPort);
  let config: BaseConfig;
  try {
    config = loadConfig(schema) as BaseConfig;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${def.service}: ${err.message}\n`);
    process.exit(2);
  }
  const logger = new JsonLogger(def.service, config.LOG_LEVEL);
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: String(reason) }));

  const app = await NestFactory.create(
    {
      module: ServiceRootModule,
      imports: [RuntimeModule.forService({ service: def.service, config, logger, extraEvents: def.extraEvents }), ...def.imports],
      controllers: def.controllers ?? [],
    },
    { logger, abortOnError: false },
  );
  app.enableShutdownHooks();
  // Its own config (HTTP filters must not catch RPC errors), initialised after our filter is in.
  app
    .connectMicroservice({ strategy: app.get(EventStoreServer) }, { inheritAppConfig: false, deferInitialization: true })
    .useGlobalFilters(new RpcErrorFilter(logger));
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  logger.info('service started', { port: config.PORT, host: config.HOST, pid: process.pid });
  return app;
}

/** For main.ts files: a failed start is logged and ends the process with a non-zero code. */
export function runService(def: ServiceDefinition): void {
  bootstrapService(def).catch((err) => {
    process.stderr.write(`${def.service}: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
