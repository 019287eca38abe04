/**
 * The request as the gateway hashes, records and sends it: every sampling parameter filled in, a seed
 * derived from the call key, and the HTTP body in a backend's own dialect. Pure: a replay compares
 * what these functions make, so they must give the same bytes for the same call.
 */
import { createHash } from 'node:crypto';
import { callKeyString, firstAttemptOf, type CallKey } from './call-key';
import { LlmError } from './errors';
import type { BackendConfig, ChatMessage, LlmRequest, NormalizedRequest, SamplingParams } from './types';

export const DEFAULT_SAMPLING: Omit<SamplingParams, 'seed'> = {
  temperature: 0.7,
  top_p: 1,
  top_k: -1,
  min_p: 0,
  repetition_penalty: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  max_tokens: 2048,
  stop: [],
};

/** The default seed of a call: from its key without the attempt, so a retry sends the same request. */
export function deriveSeed(key: CallKey): number {
  const h = createHash('sha256').update(callKeyString(firstAttemptOf(key))).digest();
  return h.readUInt32BE(0) & 0x7fffffff;
}

/** The request as hashed and recorded: every sampling parameter filled in (defaults < gateway defaults < request). */
export function normalizeRequest(
  request: LlmRequest,
  key: CallKey,
  defaults: Partial<SamplingParams> | undefined,
  role: string | undefined,
): NormalizedRequest {
  if (!request.model) throw new LlmError('LLM_BAD_REQUEST', 'request.model is required');
  if (!Array.isArray(request.messages) || request.messages.length === 0) throw new LlmError('LLM_BAD_REQUEST', 'request.messages must not be empty');
  const sampling: SamplingParams = {
    ...DEFAULT_SAMPLING,
    seed: deriveSeed(key),
    ...stripUndefined(defaults ?? {}),
    ...stripUndefined(request.sampling ?? {}),
  };
  sampling.stop = [...(sampling.stop ?? [])];
  const tools = request.tools?.length
    ? request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.parameters } }))
    : null;
  let toolChoice: unknown = null;
  if (tools) {
    const tc = request.toolChoice ?? 'auto';
    toolChoice = typeof tc === 'object' ? { type: 'function', function: { name: tc.name } } : tc;
  }
  return {
    model: request.model,
    messages: request.messages.map(toWireMessage),
    sampling,
    tools,
    tool_choice: toolChoice,
    json_schema: request.structured ? { name: request.structured.name ?? 'output', schema: request.structured.jsonSchema } : null,
    user: `sim:${key.simulationId} agent:${key.agentId}${role ? ` role:${role}` : ''}`,
    extra: request.extraBody && Object.keys(request.extraBody).length ? { ...request.extraBody } : null,
  };
}

/** The HTTP body for a backend. */
export function wireBody(n: NormalizedRequest, backend: BackendConfig, stream: boolean): Record<string, unknown> {
  const { max_tokens, ...sampling } = n.sampling;
  const body: Record<string, unknown> = { model: n.model, messages: n.messages, ...sampling, user: n.user };
  body[backend.maxTokensField ?? 'max_tokens'] = max_tokens;
  if (n.tools) {
    body.tools = n.tools;
    body.tool_choice = n.tool_choice;
  }
  if (n.json_schema) {
    const mode = backend.structuredOutputField ?? 'structured_outputs';
    if (mode !== 'response_format') body.structured_outputs = { json: n.json_schema.schema };
    if (mode !== 'structured_outputs') {
      body.response_format = { type: 'json_schema', json_schema: { name: n.json_schema.name, schema: n.json_schema.schema, strict: true } };
    }
  }
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  } else body.stream = false;
  if (n.extra) Object.assign(body, n.extra);
  return body;
}

function toWireMessage(m: ChatMessage): Record<string, unknown> {
  switch (m.role) {
    case 'assistant': {
      const out: Record<string, unknown> = { role: 'assistant', content: m.content };
      if (m.tool_calls && m.tool_calls.length > 0) {
        out.tool_calls = m.tool_calls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }));
      }
      return out;
    }
    case 'tool': {
      const out: Record<string, unknown> = { role: 'tool', content: m.content, tool_call_id: m.tool_call_id };
      if (m.name !== undefined) out.name = m.name;
      return out;
    }
    case 'user': {
      const out: Record<string, unknown> = { role: 'user', content: m.content };
      if (m.name !== undefined) out.name = m.name;
      return out;
    }
    default:
      return { role: m.role, content: m.content };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
