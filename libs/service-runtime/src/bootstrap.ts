import 'reflect-metadata';
import { HttpException, INestApplication, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { z } from 'zod';
import { EventDefinition } from '@swe-sim/contracts';
import { EventStoreServer } from '@swe-sim/transport';
import { BaseConfig, ConfigError, baseConfigSchema, loadConfig } from './config';
import { QueryStringInterceptor } from './query-string.interceptor';
import { HttpErrorFilter } from './http-error.filter';
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
  /** Runs once the app is configured, before it listens (e.g. to serve the OpenAPI document). */
  beforeListen?: (app: NestExpressApplication) => void | Promise<void>;
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

  const app = await NestFactory.create<NestExpressApplication>(
    {
      module: ServiceRootModule,
      imports: [RuntimeModule.forService({ service: def.service, config, logger, extraEvents: def.extraEvents }), ...def.imports],
      controllers: def.controllers ?? [],
    },
    { logger, abortOnError: false, bodyParser: false },
  );
  stopOnSignals(app, logger, config.SHUTDOWN_GRACE_MS);
  // JSON bodies only, up to HTTP_BODY_LIMIT_BYTES; the parser's errors get our codes (they never reach a route).
  app.useBodyParser('json', { limit: config.HTTP_BODY_LIMIT_BYTES });
  app.use((err: unknown, _req: unknown, _res: unknown, next: (err?: unknown) => void) => next(bodyParserError(err, config.HTTP_BODY_LIMIT_BYTES)));
  // One error body for every HTTP error; the RPC side below has its own filter and does not inherit this one.
  app.useGlobalFilters(new HttpErrorFilter(logger));
  app.useGlobalInterceptors(new QueryStringInterceptor());
  // Its own config (HTTP filters must not catch RPC errors), initialised after our filter is in.
  app
    .connectMicroservice({ strategy: app.get(EventStoreServer) }, { inheritAppConfig: false, deferInitialization: true })
    .useGlobalFilters(new RpcErrorFilter(logger));
  await app.startAllMicroservices();
  await def.beforeListen?.(app);
  await app.listen(config.PORT, config.HOST);
  logger.info('service started', { port: config.PORT, host: config.HOST, pid: process.pid });
  return app;
}

/** What the shutdown may take beyond the requests' grace (HTTP server, subscription, pools). */
const SHUTDOWN_TAIL_MS = 1500;

/**
 * SIGTERM/SIGINT close the app (HTTP server, subscription, requests in flight get `graceMs`, then
 * the shutdown hooks: clients, pools) and exit with code 0: a supervisor tells a clean stop from a
 * crash, and `--cpu-prof` and 'exit' handlers run (Nest's default re-raises the signal instead).
 * Requests still running after the grace keep their pooled connections and keep the pool's end()
 * waiting, so past grace + a short tail the process exits anyway (code 1): those requests are
 * still pending in the inbox and run again on the next start.
 */
function stopOnSignals(app: INestApplication, logger: JsonLogger, graceMs: number): void {
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: the operator will not wait for the grace (what runs stays pending, re-run on start).
      logger.error('stopping now: second signal', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', { signal, graceMs });
    const started = Date.now();
    process.once('exit', (code) => logger.info('stopped', { signal, code, ms: Date.now() - started }));
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting', { signal, ms: Date.now() - started });
      process.exit(1);
    }, graceMs + SHUTDOWN_TAIL_MS).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** body-parser's errors as HttpExceptions with our codes (anything else passes unchanged). */
function bodyParserError(err: unknown, limit: number): unknown {
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return new HttpException({ code: 'MALFORMED_JSON', message: `The body is not valid JSON: ${e.message}` }, 400);
  if (e?.type === 'entity.too.large') return new HttpException({ code: 'REQUEST_TOO_LARGE', message: `The body is over ${limit} bytes`, limit }, 413);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new HttpException({ code: 'UNSUPPORTED_MEDIA_TYPE', message: String(e.message) }, 415);
  if (e?.type && typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new HttpException({ code: 'BAD_REQUEST', message: String(e.message) }, e.status);
  return err;
}

/** For main.ts files: a failed start is logged and ends the process with a non-zero code. */
export function runService(def: ServiceDefinition): void {
  bootstrapService(def).catch((err) => {
    process.stderr.write(`${def.service}: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
