import { Sampling } from '@swe-sim/contracts';
import { ChatMessage, LlmRequest, LlmResponse, ToolChoice, ToolDefinition } from '@swe-sim/llm-gateway';

/**
 * What an agent program sends to its endpoint (OpenAI's chat completions body) as the gateway's
 * request, and the gateway's answer as OpenAI's chat.completion. Pure. The model and the sampling
 * are the simulation's, whatever the program asks: a variant is compared with the same settings.
 */

/** A body the endpoint refuses: answered 400 with this code, naming the field. */
export class WireError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A message's content as text: a string, or the text parts of a list (images are not supported). */
function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part, i) => {
        if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
        throw new WireError('unsupported_content', 'only text content parts are supported', `${param}[${i}]`);
      })
      .join('');
  }
  throw new WireError('invalid_request', 'content must be a string or a list of text parts', param);
}

function toolCallsOf(calls: unknown, param: string) {
  if (calls === undefined || calls === null) return undefined;
  if (!Array.isArray(calls)) throw new WireError('invalid_request', 'tool_calls must be a list', param);
  return calls.map((c, i) => {
    const fn = isObject(c) && isObject(c.function) ? c.function : null;
    if (!fn || typeof c.id !== 'string' || typeof fn.name !== 'string' || typeof fn.arguments !== 'string') {
      throw new WireError('invalid_request', 'a tool call needs id, function.name and function.arguments (a string)', `${param}[${i}]`);
    }
    return { id: c.id, name: fn.name, arguments: fn.arguments };
  });
}

function messageOf(m: unknown, i: number): ChatMessage {
  const param = `messages[${i}]`;
  if (!isObject(m)) throw new WireError('invalid_request', 'a message must be an object', param);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: m.role, content: textOf(m.content, `${param}.content`) };
    case 'user':
      return { role: 'user', content: textOf(m.content, `${param}.content`), ...(typeof m.name === 'string' ? { name: m.name } : {}) };
    case 'assistant': {
      const toolCalls = toolCallsOf(m.tool_calls, `${param}.tool_calls`);
      const content = m.content === null || m.content === undefined ? null : textOf(m.content, `${param}.content`);
      return { role: 'assistant', content, ...(toolCalls?.length ? { tool_calls: toolCalls } : {}) };
    }
    case 'tool':
      if (typeof m.tool_call_id !== 'string') throw new WireError('invalid_request', 'a tool message needs tool_call_id', `${param}.tool_call_id`);
      return { role: 'tool', content: textOf(m.content, `${param}.content`), tool_call_id: m.tool_call_id };
    default:
      throw new WireError('invalid_request', `unknown role ${JSON.stringify(m.role)}`, `${param}.role`);
  }
}

function toolsOf(tools: unknown): ToolDefinition[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw new WireError('invalid_request', 'tools must be a list', 'tools');
  return tools.map((t, i) => {
    const fn = isObject(t) && t.type === 'function' && isObject(t.function) ? t.function : null;
    if (!fn || typeof fn.name !== 'string') throw new WireError('invalid_request', 'a tool must be {type: "function", function: {name, parameters}}', `tools[${i}]`);
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    };
  });
}

function toolChoiceOf(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') return { name: choice.function.name };
  throw new WireError('invalid_request', 'tool_choice must be auto, none, required or {type: "function", function: {name}}', 'tool_choice');
}

function structuredOf(format: unknown): LlmRequest['structured'] {
  if (format === undefined || format === null || (isObject(format) && format.type === 'text')) return undefined;
  if (isObject(format) && format.type === 'json_object') return { name: 'output', jsonSchema: { type: 'object' } };
  if (isObject(format) && format.type === 'json_schema' && isObject(format.json_schema) && isObject(format.json_schema.schema)) {
    return { name: typeof format.json_schema.name === 'string' ? format.json_schema.name : 'output', jsonSchema: format.json_schema.schema };
  }
  throw new WireError('invalid_request', 'response_format must be text, json_object or json_schema with a schema', 'response_format');
}

/** The program's body as the gateway's request, with the simulation's model and sampling. */
export function llmRequestOf(body: unknown, settings: { model: string; sampling: Sampling }): LlmRequest {
  if (!isObject(body)) throw new WireError('invalid_request', 'the body must be a JSON object');
  if (body.stream === true) throw new WireError('streaming_unsupported', 'streaming is not supported by the swe-sim endpoint: send stream: false', 'stream');
  if (typeof body.n === 'number' && body.n !== 1) throw new WireError('invalid_request', 'only n = 1 is supported', 'n');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new WireError('invalid_request', 'messages must be a non-empty list', 'messages');
  const tools = toolsOf(body.tools);
  const toolChoice = toolChoiceOf(body.tool_choice);
  const structured = structuredOf(body.response_format);
  return {
    model: settings.model,
    sampling: settings.sampling,
    messages: body.messages.map(messageOf),
    ...(tools?.length ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(structured ? { structured } : {}),
  };
}

/** The gateway's answer as OpenAI's chat.completion; `id` names the call (simulation, agent, seq). */
export function chatCompletionOf(r: LlmResponse, id: string) {
  const toolCalls = r.message.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }));
  return {
    id,
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: r.message.content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length ? 'tool_calls' : r.finishReason,
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: r.usage.promptTokens, completion_tokens: r.usage.completionTokens, total_tokens: r.usage.promptTokens + r.usage.completionTokens },
  };
}

/** OpenAI's error body. */
export const openAiError = (code: string, message: string, type: string, param: string | null = null) => ({ error: { message, type, param, code } });
