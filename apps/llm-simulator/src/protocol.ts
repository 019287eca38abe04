/** OpenAI / vLLM wire shapes accepted and produced by the simulator. */
import { z } from 'zod';

const ContentPart = z.object({ type: z.string(), text: z.string().optional() }).passthrough();

const WireToolCall = z
  .object({
    id: z.string().optional(),
    type: z.literal('function').optional(),
    function: z.object({ name: z.string(), arguments: z.string().optional() }).passthrough(),
  })
  .passthrough();

export const ChatMessageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
    name: z.string().optional(),
    tool_call_id: z.string().optional(),
    tool_calls: z.array(WireToolCall).nullish(),
  })
  .passthrough();

const JsonObject = z.record(z.unknown());

export const ChatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(ChatMessageSchema).min(1),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).passthrough().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    min_tokens: z.number().int().nonnegative().nullish(),
    ignore_eos: z.boolean().nullish(),
    n: z.literal(1).nullish(),
    temperature: z.number().min(0).nullish(),
    top_p: z.number().gt(0).max(1).nullish(),
    top_k: z.number().int().min(-1).nullish(),
    min_p: z.number().min(0).max(1).nullish(),
    repetition_penalty: z.number().gt(0).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    seed: z.number().int().nullish(),
    stop: z.union([z.string(), z.array(z.string())]).nullish(),
    user: z.string().nullish(),
    tools: z
      .array(
        z
          .object({
            type: z.literal('function'),
            function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: JsonObject.optional() }).passthrough(),
          })
          .passthrough(),
      )
      .nullish(),
    tool_choice: z
      .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
      .nullish(),
    response_format: z
      .union([
        z.object({ type: z.literal('text') }).passthrough(),
        z.object({ type: z.literal('json_object') }).passthrough(),
        z
          .object({
            type: z.literal('json_schema'),
            json_schema: z.object({ name: z.string().optional(), schema: JsonObject.optional(), strict: z.boolean().nullish() }).passthrough(),
          })
          .passthrough(),
      ])
      .nullish(),
    structured_outputs: z
      .object({
        json: z.union([JsonObject, z.string()]).nullish(),
        regex: z.string().nullish(),
        choice: z.array(z.string()).nullish(),
        grammar: z.string().nullish(),
        json_object: z.boolean().nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough()
  .superRefine((r, ctx) => {
    if (r.response_format && r.structured_outputs) {
      const rf = r.response_format.type;
      if (rf === 'json_schema' || rf === 'json_object') {
        // vLLM accepts one structured-output constraint at a time; the same schema twice is tolerated here.
        const a = rf === 'json_schema' ? JSON.stringify((r.response_format as { json_schema?: { schema?: unknown } }).json_schema?.schema ?? null) : null;
        const b = r.structured_outputs.json === undefined ? null : JSON.stringify(r.structured_outputs.json);
        if (a !== null && b !== null && a !== b) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'response_format and structured_outputs specify different schemas' });
        }
      }
    }
  });

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** Does the request ask for JSON output (vLLM structured outputs or OpenAI response_format)? */
export function wantsJson(r: ChatRequest): boolean {
  if (r.structured_outputs && (r.structured_outputs.json != null || r.structured_outputs.json_object)) return true;
  const t = r.response_format?.type;
  return t === 'json_schema' || t === 'json_object';
}

export interface VllmErrorBody {
  object: 'error';
  message: string;
  type: string;
  param: string | null;
  code: number;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  413: 'RequestEntityTooLargeError',
  429: 'RateLimitError',
  500: 'InternalServerError',
  503: 'ServiceUnavailableError',
};

export function errorBody(code: number, message: string, param: string | null = null): VllmErrorBody {
  return { object: 'error', message, type: ERROR_TYPES[code] ?? 'Error', param, code };
}

export function zodMessage(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}
