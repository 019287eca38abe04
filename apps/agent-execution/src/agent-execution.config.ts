import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { DEFAULT_AGENT_ENDPOINT_ROOT } from '@swe-sim/contracts';
import { llmConfigSchema } from './llm/llm.config';

/**
 * agent-execution's settings: the LLM's, and a higher default for requests handled at once. Every
 * running agent task is one request for its whole life, and most of that life it waits (on the LLM,
 * on a sandbox) holding no connection: with 64, fifty running simulations' tasks filled the slots
 * and the votes and tasks behind them could not send their LLM calls (0.61 of the available in
 * flight with 200 simulations queued behind 50 running).
 */
export const agentExecutionConfigSchema = llmConfigSchema.extend({
  /** Agent programs' endpoint folders, <root>/<sandboxId>: the same root as sandbox-control's, on the same host. */
  AGENT_ENDPOINT_ROOT: z.string().refine((p) => isAbsolute(p), 'must be an absolute path').default(DEFAULT_AGENT_ENDPOINT_ROOT),
  REQUEST_CONCURRENCY: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(10_000).default(512),
});
