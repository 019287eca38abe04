/** One recorded LLM call as the gateway recorded it, with its bodies resolved from the blob table. */
export interface RecordedChatCall {
  simulationId: string;
  agentId: string;
  seq: number;
  /** The normalized request (libs/llm-gateway NormalizedRequest): wire-format messages, tools, sampling, … */
  request: {
    model: string;
    messages: Array<Record<string, unknown>>;
    sampling?: Record<string, unknown>;
    tools?: Array<Record<string, unknown>> | null;
    tool_choice?: unknown;
    json_schema?: { name: string; schema: Record<string, unknown> } | null;
    user?: string;
    extra?: Record<string, unknown> | null;
  };
  requestHash: string;
  /** The answer: content and tool calls as the gateway parsed them. */
  message: { content: string | null; tool_calls: Array<{ id: string; name: string; arguments: string }> };
  model: string;
  backend: string;
  finishReason: string;
  usage: { promptTokens: number; completionTokens: number };
  latencyMs: number;
  attempts: number;
  repaired: boolean;
  toolCallsFromContent: boolean;
  /** Where the call's completion is in the log, and when it was recorded. */
  position: number;
  recordedAt: string;
}

/**
 * A line of OpenAI's chat fine-tuning format: `messages` (the request's, then the answer as the
 * assistant's message, tool calls in the API's shape) and `tools` when the call offered some. Those
 * are the keys OpenAI's validator accepts (besides `parallel_tool_calls`, `functions`), so a line
 * without `metadata` uploads as it is; `metadata` keeps where the call came from and how it was
 * sampled, for filtering before training.
 */
export interface ChatExample {
  messages: Array<Record<string, unknown>>;
  tools?: Array<Record<string, unknown>>;
  metadata?: Record<string, unknown>;
}

/** The assistant's message as the chat API returns it. */
export function assistantMessage(message: RecordedChatCall['message']): Record<string, unknown> {
  const out: Record<string, unknown> = { role: 'assistant', content: message.content };
  if (message.tool_calls.length > 0) {
    out.tool_calls = message.tool_calls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }));
  }
  return out;
}

export function toChatExample(call: RecordedChatCall, options: { metadata: boolean }): ChatExample {
  const example: ChatExample = { messages: [...call.request.messages, assistantMessage(call.message)] };
  if (call.request.tools && call.request.tools.length > 0) example.tools = call.request.tools;
  if (!options.metadata) return example;
  // The gateway's `user` field is "sim:<id> agent:<agentId> role:<role>".
  const role = /(?:^| )role:(\S+)/.exec(call.request.user ?? '')?.[1] ?? null;
  example.metadata = {
    simulationId: call.simulationId,
    agentId: call.agentId,
    // Agent ids are <personaId>/<what it is doing>.
    personaId: call.agentId.split('/')[0],
    role,
    seq: call.seq,
    callId: `${call.agentId}#${call.seq}`,
    requestHash: call.requestHash,
    model: call.model,
    backend: call.backend,
    sampling: call.request.sampling ?? null,
    toolChoice: call.request.tool_choice ?? null,
    responseFormat: call.request.json_schema ?? null,
    extra: call.request.extra ?? null,
    finishReason: call.finishReason,
    usage: call.usage,
    latencyMs: call.latencyMs,
    attempts: call.attempts,
    repaired: call.repaired,
    toolCallsFromContent: call.toolCallsFromContent,
    position: call.position,
    recordedAt: call.recordedAt,
  };
  return example;
}
