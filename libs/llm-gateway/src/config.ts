/** Gateway configuration from the environment. */
import { z } from 'zod';
import type { LlmGatewayOptions } from './options';
import type { BackendConfig } from './types';

export const BackendConfigSchema = z
  .object({
    name: z.string().min(1),
    baseUrl: z.string().url(),
    apiKey: z.string().optional(),
    models: z.array(z.string().min(1)).min(1),
    maxInFlight: z.number().int().positive().optional(),
    structuredOutputField: z.enum(['structured_outputs', 'response_format', 'both']).optional(),
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    stream: z.boolean().optional(),
    headers: z.record(z.string()).optional(),
  })
  .strict();

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * LLM_BACKENDS: JSON array of backends ({name, baseUrl, apiKey?, models, maxInFlight?, …}); or
 * LLM_BASE_URL + LLM_MODEL (comma-separated models) + LLM_API_KEY? + LLM_MAX_IN_FLIGHT? for one backend.
 * Also LLM_TIMEOUT_MS, LLM_MAX_ATTEMPTS, LLM_STREAM (1/true).
 */
export function gatewayOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LlmGatewayOptions {
  let backends: BackendConfig[];
  if (env.LLM_BACKENDS && env.LLM_BACKENDS.trim() !== '') {
    let raw: unknown;
    try {
      raw = JSON.parse(env.LLM_BACKENDS);
    } catch (e) {
      throw new Error(`LLM_BACKENDS is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = z.array(BackendConfigSchema).min(1).safeParse(raw);
    if (!parsed.success) {
      throw new Error(`LLM_BACKENDS is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    backends = parsed.data;
  } else {
    if (!env.LLM_BASE_URL) throw new Error('Set LLM_BASE_URL and LLM_MODEL (one backend) or LLM_BACKENDS (JSON, several)');
    if (!env.LLM_MODEL) throw new Error('LLM_MODEL is required with LLM_BASE_URL');
    const parsed = BackendConfigSchema.safeParse({
      name: 'default',
      baseUrl: env.LLM_BASE_URL,
      apiKey: env.LLM_API_KEY || undefined,
      models: env.LLM_MODEL.split(',').map((s) => s.trim()).filter(Boolean),
      maxInFlight: positiveInt(env, 'LLM_MAX_IN_FLIGHT'),
    });
    if (!parsed.success) throw new Error(`LLM_BASE_URL/LLM_MODEL invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    backends = [parsed.data];
  }
  const opts: LlmGatewayOptions = { backends };
  const timeoutMs = positiveInt(env, 'LLM_TIMEOUT_MS');
  if (timeoutMs !== undefined) opts.timeoutMs = timeoutMs;
  const maxAttempts = positiveInt(env, 'LLM_MAX_ATTEMPTS');
  if (maxAttempts !== undefined) opts.retry = { maxAttempts };
  if (env.LLM_STREAM === '1' || env.LLM_STREAM === 'true') opts.stream = true;
  return opts;
}
