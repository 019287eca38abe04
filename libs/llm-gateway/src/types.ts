/** Public types of the LLM gateway. */
import type { ZodTypeAny } from 'zod';
import type { CallKey } from './call-key';
import type { LlmError } from './errors';

export type { CallKey } from './call-key';

/** Sampling parameters, in vLLM's names. Every one is always sent (with defaults filled in). */
export interface SamplingParams {
  temperature: number;
  top_p: number;
  /** -1 disables top-k in vLLM. */
  top_k: number;
  min_p: number;
  repetition_penalty: number;
  presence_penalty: number;
  frequency_penalty: number;
  /** Default: derived from the call key (simulation, agent, seq), so it is stable across replays and forks. */
  seed: number;
  max_tokens: number;
  stop: string[];
}

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, as the model produced it. */
  arguments: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ChatMessage =
  | { role: 'system' | 'developer'; content: string }
  | { role: 'user'; content: string; name?: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string; name?: string };

export interface StructuredOutputSpec {
  /** Name for response_format.json_schema.name (default "output"). */
  name?: string;
  /** JSON schema sent to the server (vLLM's structured_outputs.json and/or response_format). */
  jsonSchema: Record<string, unknown>;
  /** Optional zod schema checked on the parsed content (it is not sent). */
  zod?: ZodTypeAny;
  /** Optional check on the parsed content: an error message, or null when valid. */
  validate?: (value: unknown) => string | null;
}

export interface LlmRequest {
  model: string;
  messages: ChatMessage[];
  sampling?: Partial<SamplingParams>;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Structured output by JSON schema: the content is parsed and validated, with one repair attempt. */
  structured?: StructuredOutputSpec;
  /** Stream the answer (SSE) and assemble it; overrides the backend/gateway default. */
  stream?: boolean;
  /** Extra vLLM fields passed through as they are (min_tokens, ignore_eos, …); part of the request hash. */
  extraBody?: Record<string, unknown>;
}

export interface LlmCallContext {
  simulationId: string;
  agentId: string;
  /** Call ordinal; default: the gateway counts per (simulationId, agentId). */
  seq?: number;
  /** The retry ordinal after infrastructure failures (CallKey.attempt); 0 or absent the first time. */
  attempt?: number;
  /** Agent role, sent in the `user` field as `role:<role>`. */
  role?: string;
  /** Cancels the queue wait, the HTTP request or a retry back-off. */
  signal?: AbortSignal;
  /** Per-request time-out override (ms). */
  timeoutMs?: number;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface LlmTimings {
  /** Time spent waiting for a slot (all attempts). */
  queueMs: number;
  /** Time from the start of the first HTTP request to the answer (all attempts, back-offs and the repair). */
  latencyMs: number;
  /** Service time reported by the server for the last request (x-sim-service-ms), when available. */
  serverMs?: number;
}

export interface LlmResponse {
  message: { content: string | null; tool_calls: ToolCall[] };
  /** The parsed JSON value when `structured` was requested. */
  parsed?: unknown;
  finishReason: string;
  /** Usage summed over the calls (repair included). */
  usage: LlmUsage;
  timings: LlmTimings;
  backend: string;
  model: string;
  /** HTTP attempts made (retries and the repair included). */
  attempts: number;
  /** True when the answer came from the repair attempt. */
  repaired: boolean;
  /** True when tool calls were parsed from the content (Llama 3.1 style). */
  toolCallsFromContent: boolean;
  callKey: CallKey;
  requestHash: string;
  /** The simulation whose recording gave this answer (replay, or a fork's prefix). */
  replayedFrom?: string;
}

export type LlmResult = { ok: true; response: LlmResponse } | { ok: false; error: LlmError };

/** One backend (an OpenAI-compatible server). */
export interface BackendConfig {
  name: string;
  /** e.g. http://127.0.0.1:8000/v1 (a bare origin gets /v1). */
  baseUrl: string;
  apiKey?: string;
  models: string[];
  /** Bound on requests in flight at this backend (default 50). */
  maxInFlight?: number;
  /** How to send a JSON schema: vLLM's structured_outputs (default), OpenAI's response_format, or both. */
  structuredOutputField?: 'structured_outputs' | 'response_format' | 'both';
  /** Which field carries the completion limit (default max_tokens). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Stream by default on this backend. */
  stream?: boolean;
  headers?: Record<string, string>;
}

/** The normalized request: what is hashed, recorded and compared on replay. */
export interface NormalizedRequest {
  model: string;
  messages: Array<Record<string, unknown>>;
  sampling: SamplingParams;
  tools: Array<Record<string, unknown>> | null;
  tool_choice: unknown;
  json_schema: { name: string; schema: Record<string, unknown> } | null;
  user: string;
  extra: Record<string, unknown> | null;
}
