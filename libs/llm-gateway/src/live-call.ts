/**
 * A call answered by a backend: the request (with its retries), the answer parsed, and structured
 * output validated with one repair attempt, which goes through the same attempts as the request.
 */
import type { CallKey } from './call-key';
import { LlmOutputInvalidError } from './errors';
import type { GatewayMetrics } from './gateway-metrics';
import type { ExchangeState, HttpAttempts } from './http-attempt';
import { parseCompletion } from './parse-completion';
import { repairRequest, validateStructured } from './structured';
import type { LlmCallContext, LlmRequest, LlmResponse, NormalizedRequest } from './types';

export async function liveCall(
  attempts: HttpAttempts,
  metrics: GatewayMetrics,
  request: LlmRequest,
  normalized: NormalizedRequest,
  key: CallKey,
  hash: string,
  ctx: LlmCallContext,
): Promise<LlmResponse> {
  const started = performance.now();
  const state: ExchangeState = { attempts: 0, queueMs: 0, promptTokens: 0, completionTokens: 0, backend: null };
  const toolNames = request.tools?.length ? new Set(request.tools.map((t) => t.name)) : undefined;

  const first = await attempts.exchange(normalized, key, ctx, request.stream, state, 'main');
  let parsed = parseCompletion(first.result.completion, normalized, toolNames, key);
  let serverMs = first.result.serverMs;
  let value: unknown;
  let repaired = false;

  if (request.structured) {
    const v = validateStructured(parsed.content, request.structured);
    if (v.ok) value = v.value;
    else {
      const repairReq = repairRequest(normalized, parsed.content, v.error);
      const second = await attempts.exchange(repairReq, key, ctx, request.stream, state, 'repair');
      serverMs = second.result.serverMs;
      parsed = parseCompletion(second.result.completion, repairReq, toolNames, key);
      const v2 = validateStructured(parsed.content, request.structured);
      if (!v2.ok) {
        metrics.repairs.inc({ outcome: 'failed' });
        throw new LlmOutputInvalidError(`Structured output invalid after one repair attempt: ${v2.error}`, parsed.content, v2.error, {
          backend: state.backend?.name,
          attempts: state.attempts,
          details: { firstError: v.error },
        });
      }
      metrics.repairs.inc({ outcome: 'ok' });
      value = v2.value;
      repaired = true;
    }
  }

  const response: LlmResponse = {
    message: { content: parsed.content, tool_calls: parsed.toolCalls },
    finishReason: parsed.finishReason,
    usage: { promptTokens: state.promptTokens, completionTokens: state.completionTokens },
    timings: { queueMs: round3(state.queueMs), latencyMs: round3(performance.now() - started - state.queueMs) },
    backend: state.backend!.name,
    model: request.model,
    attempts: state.attempts,
    repaired,
    toolCallsFromContent: parsed.fromContent,
    callKey: key,
    requestHash: hash,
  };
  if (serverMs !== undefined) response.timings.serverMs = serverMs;
  if (request.structured) response.parsed = value;
  return response;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
