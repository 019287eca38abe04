import { z } from 'zod';
import { SweSimError } from '@swe-sim/contracts';

export class ConfigError extends SweSimError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  }
}

const postgresUrl = z
  .string({ required_error: 'is required (e.g. postgres://swe_sim:swe_sim@127.0.0.1:5432/swe_sim)' })
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'must be a postgres:// URL');
const int = (min: number, max: number) => z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(min).max(max);

/** Settings every service reads; apps extend this schema with their own. */
export const baseConfigSchema = (defaultPort: number) =>
  z.object({
    DATABASE_URL: postgresUrl,
    PORT: int(1, 65535).default(defaultPort),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    DB_POOL_MAX: int(1, 200).default(10),
    EVENT_MAX_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
    SUBSCRIPTION_BATCH_SIZE: int(1, 10_000).default(100),
    SUBSCRIPTION_POLL_MS: int(10, 60_000).default(1000),
    RPC_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
    /** Requests (@MessagePattern) a service handles at once: agent tasks and votes in agent-execution. */
    REQUEST_CONCURRENCY: int(1, 10_000).default(64),
    /**
     * On SIGTERM/SIGINT, how long requests in flight may run on before the process exits (what is
     * left stays pending in the inbox and runs again on the next start). An idle service exits at once.
     */
    SHUTDOWN_GRACE_MS: int(0, 600_000).default(5000),
    /** Largest JSON request body; larger ones get 413 REQUEST_TOO_LARGE. */
    HTTP_BODY_LIMIT_BYTES: int(1024, 256 * 1024 * 1024).default(2 * 1024 * 1024),
  });

export type BaseConfig = z.infer<ReturnType<typeof baseConfigSchema>>;

/** Parses the environment; every problem is listed at once, each naming its variable. */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
}
