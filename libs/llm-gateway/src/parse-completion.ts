/** A backend's completion as the gateway answers it: content, tool calls (also from the content, Llama 3.1 style), finish reason. */
import type { WireCompletion } from './backend';
import { callKeyString, type CallKey } from './call-key';
import { fromWireToolCalls, toolCallsFromContent } from './tool-calls';
import type { NormalizedRequest, ToolCall } from './types';

export interface ParsedCompletion {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string;
  /** True when the tool calls were read from the content. */
  fromContent: boolean;
}

/**
 * The first choice of a completion. Tool calls in the content are looked for only when the request
 * offered tools, did not forbid them and asked for no JSON schema; the ids of wire tool calls
 * without one derive from the call key and the content, so a replay gives the same ids.
 */
export function parseCompletion(completion: WireCompletion, n: NormalizedRequest, toolNames: ReadonlySet<string> | undefined, key: CallKey): ParsedCompletion {
  const choice = completion.choices[0] ?? {};
  let content = choice.message?.content ?? null;
  let toolCalls: ToolCall[] = fromWireToolCalls(choice.message?.tool_calls, `${callKeyString(key)}:${content ?? ''}`);
  let finishReason = choice.finish_reason ?? 'stop';
  let fromContent = false;
  if (toolCalls.length === 0 && toolNames && n.tool_choice !== 'none' && !n.json_schema) {
    const found = toolCallsFromContent(content, toolNames);
    if (found) {
      toolCalls = found;
      content = null;
      fromContent = true;
      if (finishReason === 'stop') finishReason = 'tool_calls';
    }
  }
  return { content, toolCalls, finishReason, fromContent };
}
