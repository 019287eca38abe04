import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { uuidV5 } from '../ids';

/**
 * LLM calls, recorded by the LLM gateway (agent-execution) so that a history replays with no LLM.
 *
 * One stream per (simulation, agent): `llm-<simulationId>-<agentId>`. A call is a pair of events
 * in it: LlmCallRequested, then LlmCallCompleted or LlmCallFailed; `callKey.seq` orders the calls.
 * Bodies larger than a few KB live in the blob table; the event then carries `{ blob: sha256 }`.
 * Event ids are derived from the call key, so recording a call twice (a re-run after a crash)
 * appends nothing the second time.
 */
export const llmStream = (simulationId: string, agentId: string) => `llm-${simulationId}-${agentId}`;

export const llmCallKeySchema = z
  .object({
    simulationId: z.string().min(1),
    agentId: z.string().min(1),
    seq: z.number().int().nonnegative(),
    /** A retry after infrastructure failures of the same call (absent: the first attempt). */
    attempt: z.number().int().positive().optional(),
  })
  .strict();
export type LlmCallKey = z.infer<typeof llmCallKeySchema>;

/**
 * The deterministic id of a call's request event, or of its outcome (completed or failed): recording
 * a call twice appends nothing, and a reader (an export, a replay) finds a call's events by key.
 */
export function llmCallEventId(key: LlmCallKey, part: 'requested' | 'outcome'): string {
  const attempt = key.attempt ? `\u0000${key.attempt}` : '';
  return uuidV5(`llm-call:${part}:${key.simulationId}\u0000${key.agentId}\u0000${key.seq}${attempt}`);
}

/** A body moved to the blob table: the sha256 of its UTF-8 JSON. */
export const blobRefSchema = z.object({ blob: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest') }).strict();
export type BlobRef = z.infer<typeof blobRefSchema>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');

/** The gateway's normalized request (model, messages, every sampling parameter, tools, schema, user, extra). */
export const llmRequestBodySchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(z.record(z.unknown())).min(1),
    sampling: z.record(z.unknown()),
  })
  .passthrough();

export const llmToolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() }).strict();

export const llmMessageSchema = z
  .object({
    content: z.string().nullable(),
    tool_calls: z.array(llmToolCallSchema),
  })
  .strict();

export const LlmCallRequested = defineEvent({
  type: 'LlmCallRequested',
  version: 1,
  schema: z
    .object({
      callKey: llmCallKeySchema,
      model: z.string().min(1),
      backend: z.string().optional(),
      /** sha256 of the stable JSON of the normalized request: what replay compares. */
      requestHash: sha256,
      /** Inline when small, else `{ blob }` (the normalized request as JSON). */
      request: z.union([blobRefSchema, llmRequestBodySchema]),
    })
    .strict(),
  streamOf: (d) => llmStream(d.callKey.simulationId, d.callKey.agentId),
});

export const LlmCallCompleted = defineEvent({
  type: 'LlmCallCompleted',
  version: 1,
  schema: z
    .object({
      callKey: llmCallKeySchema,
      requestHash: sha256,
      model: z.string().min(1),
      backend: z.string(),
      /** `{content, tool_calls}` inline when small, else `{ blob }`. */
      message: z.union([blobRefSchema, llmMessageSchema]),
      /** The parsed structured output (`{ value }`, or `{ blob }` when large); absent without a schema. */
      parsed: z.union([blobRefSchema, z.object({ value: z.unknown() }).strict()]).optional(),
      finishReason: z.string(),
      usage: z.object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative() }).strict(),
      timings: z
        .object({ queueMs: z.number().nonnegative(), latencyMs: z.number().nonnegative(), serverMs: z.number().nonnegative().optional() })
        .strict(),
      attempts: z.number().int().nonnegative(),
      repaired: z.boolean(),
      toolCallsFromContent: z.boolean().optional(),
      /** The simulation whose recording gave this answer (a replay, or a fork's shared prefix): it was not generated again. */
      replayedFrom: z.string().uuid().optional(),
    })
    .strict(),
  streamOf: (d) => llmStream(d.callKey.simulationId, d.callKey.agentId),
});

export const LlmCallFailed = defineEvent({
  type: 'LlmCallFailed',
  version: 1,
  schema: z
    .object({
      callKey: llmCallKeySchema,
      requestHash: sha256,
      error: z
        .object({
          code: z.string().min(1),
          message: z.string(),
          status: z.number().int().optional(),
          backend: z.string().optional(),
          /** Error details (e.g. the invalid raw content), inline when small, else `{ blob }`. */
          details: z.union([blobRefSchema, z.object({ value: z.record(z.unknown()) }).strict()]).optional(),
        })
        .strict(),
      attempts: z.number().int().nonnegative(),
      /** As in LlmCallCompleted: the failure was taken from that simulation's recording. */
      replayedFrom: z.string().uuid().optional(),
    })
    .strict(),
  streamOf: (d) => llmStream(d.callKey.simulationId, d.callKey.agentId),
});

export const LLM_EVENTS = [LlmCallRequested, LlmCallCompleted, LlmCallFailed] as const;
