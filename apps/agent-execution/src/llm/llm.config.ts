/** agent-execution's LLM settings, validated at start-up (each problem names its variable). */
import { z } from 'zod';
import { BackendConfigSchema, gatewayOptionsFromEnv, type LlmGatewayOptions } from '@swe-sim/llm-gateway';

const positiveInt = z.string().regex(/^[1-9][0-9]*$/, 'must be a positive integer');

/** An empty variable counts as unset. */
const unsetWhenEmpty = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** LLM_BACKENDS: a JSON array of backends ({name, baseUrl, models, apiKey?, maxInFlight?, …}). */
const backendsJson = z.string().superRefine((v, ctx) => {
  let raw: unknown;
  try {
    raw = JSON.parse(v);
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a JSON array of backends: ${(e as Error).message}` });
    return;
  }
  const parsed = z.array(BackendConfigSchema).min(1).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? `[${i.path.join('.')}] ` : ''}${i.message}`);
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a JSON array of backends {name, baseUrl, models, apiKey?, maxInFlight?}: ${problems.join('; ')}` });
  }
});

/**
 * One backend: LLM_BASE_URL + LLM_MODEL (comma-separated) + LLM_API_KEY? + LLM_MAX_IN_FLIGHT?;
 * several: LLM_BACKENDS (JSON). Also LLM_TIMEOUT_MS, LLM_MAX_ATTEMPTS, LLM_STREAM.
 */
export const llmConfigSchema = z.object({
  LLM_BASE_URL: unsetWhenEmpty(z.string().url('must be a URL such as http://127.0.0.1:8000/v1')),
  LLM_API_KEY: unsetWhenEmpty(z.string()),
  LLM_MODEL: unsetWhenEmpty(z.string()),
  LLM_BACKENDS: unsetWhenEmpty(backendsJson),
  LLM_MAX_IN_FLIGHT: unsetWhenEmpty(positiveInt),
  LLM_TIMEOUT_MS: unsetWhenEmpty(positiveInt),
  LLM_MAX_ATTEMPTS: unsetWhenEmpty(positiveInt),
  LLM_STREAM: unsetWhenEmpty(z.enum(['0', '1', 'true', 'false'])),
});

export type LlmConfig = z.infer<typeof llmConfigSchema>;

/** Gateway options from the validated settings; throws naming the variables when neither form is given. */
export function llmGatewayOptions(config: LlmConfig): LlmGatewayOptions {
  if (!config.LLM_BACKENDS && !config.LLM_BASE_URL) {
    throw new Error('LLM_BASE_URL (with LLM_MODEL) or LLM_BACKENDS must be set: agent-execution needs an OpenAI-compatible LLM server');
  }
  return gatewayOptionsFromEnv(config as NodeJS.ProcessEnv);
}
