/**
 * LlmGateway: the one client for OpenAI-compatible servers (vLLM first).
 *
 * - Named backends; routing by model; several backends for one model share the load (least in flight).
 * - At most `maxInFlight` requests per backend; beyond that a fair queue, round robin across simulations.
 * - Retries with jittered exponential back-off only on connection errors before a response, 429 and 503;
 *   never on a time-out (the generation may still be running on the server).
 * - Structured output (JSON schema in vLLM's form), validated, with one repair attempt.
 * - Every logical call is reported to a CallRecorder; in replay mode answers come from a ReplaySource.
 */
import { Backend, AbortedByCaller, SendResult } from './backend';
import {
  LlmBackendUnavailableError,
  LlmCancelledError,
  LlmError,
  LlmErrorCode,
  LlmNoBackendForModelError,
  LlmOutputInvalidError,
  LlmReplayDivergenceError,
  LlmTimeoutError,
  llmErrorFromRecord,
} from './errors';
import { gatewayOptionsFromEnv } from './config';
import { FairQueue } from './fair-queue';
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, MetricsRegistry, QUEUE_BUCKETS_S } from './metrics';
import { diffValues } from '@swe-sim/kit';
import { CallRecorder, RecordedCall, RecordedOutcome, ReplaySource, callKeyString, firstAttemptOf, hashRequest, promptOf } from './recording';
import { repairPrompt, validateStructured } from './structured';
import { fromWireToolCalls, toolCallsFromContent } from './tool-calls';
import { createHash } from 'node:crypto';
import type {
  BackendConfig,
  CallKey,
  ChatMessage,
  LlmCallContext,
  LlmRequest,
  LlmResponse,
  LlmResult,
  NormalizedRequest,
  SamplingParams,
  ToolCall,
} from './types';

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

export interface RetryOptions {
  /** Total HTTP attempts per request (default 4). */
  maxAttempts?: number;
  /** First back-off (default 250 ms); doubles each attempt, with jitter (half fixed, half random). */
  baseDelayMs?: number;
  /** Back-off cap (default 10 s); also caps a server's Retry-After. */
  maxDelayMs?: number;
}

export interface CallAccounting {
  callKey: CallKey;
  model: string;
  backend: string | null;
  outcome: 'ok' | LlmErrorCode;
  usage: { promptTokens: number; completionTokens: number };
  timings: { queueMs: number; latencyMs: number };
  attempts: number;
  replayed: boolean;
}

export interface LlmGatewayOptions {
  backends: BackendConfig[];
  /** Gateway-wide sampling defaults (over DEFAULT_SAMPLING; under the request's own). */
  defaults?: Partial<SamplingParams>;
  retry?: RetryOptions;
  /** Per-request (per HTTP attempt) time-out, default 10 minutes. */
  timeoutMs?: number;
  /** Stream by default (a backend's `stream` or the request's overrides it). */
  stream?: boolean;
  recorder?: CallRecorder;
  /** Replay mode: answers come from here, with no network call. */
  replay?: ReplaySource;
  /** In replay mode, what a call with no recording does: throw (default) or go live (resume, continue a fork); per call when a function. */
  onReplayMissing?: 'throw' | 'live' | ((key: CallKey) => 'throw' | 'live' | Promise<'throw' | 'live'>);
  /** Called after every logical call (accounting). */
  onCall?: (a: CallAccounting) => void;
  /** Random source for back-off jitter (default Math.random). */
  random?: () => number;
}

interface Waiter {
  simulationId: string;
  model: string;
  enqueuedAt: number;
  resolve: (b: Backend) => void;
  reject: (e: Error) => void;
  cleanup: () => void;
}

interface AttemptOutcome {
  result: SendResult;
  backend: Backend;
}

interface ExchangeState {
  attempts: number;
  queueMs: number;
  promptTokens: number;
  completionTokens: number;
  backend: Backend | null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmCancelledError('LLM call cancelled during back-off'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new LlmCancelledError('LLM call cancelled during back-off'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function deriveSeed(key: CallKey): number {
  const h = createHash('sha256').update(callKeyString(firstAttemptOf(key))).digest();
  return h.readUInt32BE(0) & 0x7fffffff;
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

export class LlmGateway {
  private readonly backends: Backend[];
  private readonly byModel = new Map<string, Backend[]>();
  private readonly queue = new FairQueue<Waiter>();
  private readonly seqs = new Map<string, number>();
  private readonly retry: Required<RetryOptions>;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private closed = false;

  private readonly registry = new MetricsRegistry();
  private readonly mRequests: Counter;
  private readonly mCalls: Counter;
  private readonly mPromptTokens: Counter;
  private readonly mCompletionTokens: Counter;
  private readonly mErrors: Counter;
  private readonly mRetries: Counter;
  private readonly mRepairs: Counter;
  private readonly mReplayed: Counter;
  private readonly mLatency: Histogram;
  private readonly mQueueWait: Histogram;

  constructor(private readonly options: LlmGatewayOptions) {
    if (!options.backends || options.backends.length === 0) throw new Error('LlmGateway: at least one backend is required');
    const names = new Set<string>();
    this.backends = options.backends.map((c) => {
      if (names.has(c.name)) throw new Error(`LlmGateway: duplicate backend name "${c.name}"`);
      names.add(c.name);
      return new Backend(c);
    });
    for (const b of this.backends) {
      for (const m of b.models) {
        const list = this.byModel.get(m) ?? [];
        list.push(b);
        this.byModel.set(m, list);
      }
    }
    this.retry = {
      maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 4),
      baseDelayMs: options.retry?.baseDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
    };
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.random = options.random ?? Math.random;

    const r = this.registry;
    r.add(new Gauge('llm_gateway_in_flight', 'Requests in flight per backend.', () => this.backends.map((b) => [{ backend: b.name }, b.inFlight])));
    r.add(new Gauge('llm_gateway_max_in_flight', 'Bound on requests in flight per backend.', () => this.backends.map((b) => [{ backend: b.name }, b.maxInFlight])));
    r.add(new Gauge('llm_gateway_queued', 'Requests waiting for a slot (all backends).', () => [[{}, this.queue.size]]));
    r.add(new Gauge('llm_gateway_queued_simulations', 'Simulations with requests waiting for a slot.', () => [[{}, this.queue.keys().length]]));
    this.mRequests = r.add(new Counter('llm_gateway_requests_total', 'HTTP requests sent, by backend and outcome (ok or error code).'));
    this.mCalls = r.add(new Counter('llm_gateway_calls_total', 'Logical calls, by outcome (ok or error code).'));
    this.mPromptTokens = r.add(new Counter('llm_gateway_prompt_tokens_total', 'Prompt tokens, by backend.'));
    this.mCompletionTokens = r.add(new Counter('llm_gateway_completion_tokens_total', 'Completion tokens, by backend.'));
    this.mErrors = r.add(new Counter('llm_gateway_errors_total', 'Errors of HTTP attempts, by backend and code.'));
    this.mRetries = r.add(new Counter('llm_gateway_retries_total', 'Retries, by backend and the code of the error retried.'));
    this.mRepairs = r.add(new Counter('llm_gateway_repairs_total', 'Repair attempts after invalid structured output, by outcome.'));
    this.mReplayed = r.add(new Counter('llm_gateway_replayed_total', 'Calls answered from a replay source.'));
    this.mLatency = r.add(new Histogram('llm_gateway_request_latency_seconds', 'HTTP request latency per backend.', LATENCY_BUCKETS_S));
    this.mQueueWait = r.add(new Histogram('llm_gateway_queue_wait_seconds', 'Wait for a slot per backend.', QUEUE_BUCKETS_S));
  }

  /**
   * From the environment: LLM_BACKENDS (JSON array of BackendConfig) or, for one backend,
   * LLM_BASE_URL + LLM_MODEL (comma-separated) + LLM_API_KEY + LLM_MAX_IN_FLIGHT.
   * Also LLM_TIMEOUT_MS, LLM_MAX_ATTEMPTS, LLM_STREAM (1/true).
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, extra: Partial<LlmGatewayOptions> = {}): LlmGateway {
    return new LlmGateway({ ...gatewayOptionsFromEnv(env), ...extra });
  }

  /** Models served, with their backends. */
  models(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [m, list] of this.byModel) out[m] = list.map((b) => b.name);
    return out;
  }

  /** A call that returns a typed failure instead of throwing. */
  async tryComplete(request: LlmRequest, ctx: LlmCallContext): Promise<LlmResult> {
    try {
      return { ok: true, response: await this.complete(request, ctx) };
    } catch (e) {
      return { ok: false, error: e instanceof LlmError ? e : new LlmError('LLM_BACKEND_ERROR', (e as Error).message, { cause: e }) };
    }
  }

  async complete(request: LlmRequest, ctx: LlmCallContext): Promise<LlmResponse> {
    const key: CallKey = { simulationId: ctx.simulationId, agentId: ctx.agentId, seq: ctx.seq ?? this.nextSeq(ctx), ...(ctx.attempt ? { attempt: ctx.attempt } : {}) };
    const normalized = this.normalize(request, key, ctx);
    const hash = hashRequest(normalized);

    if (this.options.replay) {
      const rec = await this.options.replay.lookup(key);
      if (rec && rec.outcome) {
        const diffs = replayMismatch(rec, normalized, hash, key);
        if (diffs.length && rec.origin?.onMismatch !== 'live') throw new LlmReplayDivergenceError(key, diffs);
        if (!diffs.length) return this.answerFromRecording(key, request.model, rec, rec.outcome, normalized, hash);
      } else {
        const missing = typeof this.options.onReplayMissing === 'function' ? await this.options.onReplayMissing(key) : (this.options.onReplayMissing ?? 'throw');
        if (missing === 'throw') throw new LlmReplayDivergenceError(key, [rec ? 'the recorded call has no outcome' : 'no recorded call with this key']);
      }
    }

    const recorder = this.options.recorder;
    if (recorder) await recorder.requested(key, { hash, body: normalized });
    let response: LlmResponse;
    try {
      response = await this.execute(request, normalized, key, hash, ctx);
    } catch (e) {
      const err = e instanceof LlmError ? e : new LlmError('LLM_BACKEND_ERROR', (e as Error).message, { cause: e });
      this.mCalls.inc({ outcome: err.code });
      this.account(key, request.model, err.backend ?? null, err.code, undefined, false, err.attempts);
      if (recorder) await recorder.failed(key, err.toRecord());
      throw err;
    }
    this.mCalls.inc({ outcome: 'ok' });
    this.account(key, request.model, response.backend, 'ok', response, false);
    if (recorder) await recorder.completed(key, response);
    return response;
  }

  /**
   * A call answered from another simulation's recording alone, for a caller that cannot ask it again
   * (an agent program is not re-run in a replay): recorded here as replayed, like any replayed
   * answer. null when the source has no such call with an outcome from an origin.
   */
  async replayRecorded(key: CallKey): Promise<LlmResult | null> {
    const rec = await this.options.replay?.lookup(key);
    if (!rec?.outcome || !rec.origin || !rec.request) return null;
    try {
      return { ok: true, response: await this.answerFromRecording(key, rec.request.model, rec, rec.outcome, rec.request, rec.requestHash) };
    } catch (e) {
      if (e instanceof LlmError) return { ok: false, error: e };
      throw e;
    }
  }

  /**
   * A recorded answer, with no network call. One from another simulation's recording (a replay, a
   * fork's prefix) is recorded in this simulation too, so its history holds every answer it used.
   */
  private async answerFromRecording(key: CallKey, model: string, rec: RecordedCall, outcome: RecordedOutcome, normalized: NormalizedRequest, hash: string): Promise<LlmResponse> {
    this.mReplayed.inc();
    const recorder = rec.origin ? this.options.recorder : undefined;
    if (recorder) await recorder.requested(key, { hash, body: normalized });
    if (outcome.status === 'completed') {
      const response = JSON.parse(JSON.stringify(outcome.response)) as LlmResponse;
      if (rec.origin) Object.assign(response, { callKey: { ...key }, requestHash: hash, replayedFrom: rec.origin.simulationId });
      if (recorder) await recorder.completed(key, response);
      this.account(key, model, response.backend, 'ok', response, true);
      return response;
    }
    const err = llmErrorFromRecord(outcome.error);
    if (recorder) await recorder.failed(key, { ...outcome.error, replayedFrom: rec.origin!.simulationId });
    this.account(key, model, err.backend ?? null, err.code, undefined, true);
    throw err;
  }

  private account(key: CallKey, model: string, backend: string | null, outcome: CallAccounting['outcome'], r: LlmResponse | undefined, replayed: boolean, attempts?: number): void {
    if (!this.options.onCall) return;
    try {
      this.options.onCall({
        callKey: key,
        model,
        backend,
        outcome,
        usage: r ? { ...r.usage } : { promptTokens: 0, completionTokens: 0 },
        timings: r ? { queueMs: r.timings.queueMs, latencyMs: r.timings.latencyMs } : { queueMs: 0, latencyMs: 0 },
        attempts: r?.attempts ?? attempts ?? 0,
        replayed,
      });
    } catch {
      // accounting must not break a call
    }
  }

  private nextSeq(ctx: LlmCallContext): number {
    const k = `${ctx.simulationId}\u0000${ctx.agentId}`;
    const n = (this.seqs.get(k) ?? 0) + 1;
    this.seqs.set(k, n);
    return n;
  }

  /** The request as hashed and recorded: every sampling parameter filled in. */
  normalize(request: LlmRequest, key: CallKey, ctx: Pick<LlmCallContext, 'role'> = {}): NormalizedRequest {
    if (!request.model) throw new LlmError('LLM_BAD_REQUEST', 'request.model is required');
    if (!Array.isArray(request.messages) || request.messages.length === 0) throw new LlmError('LLM_BAD_REQUEST', 'request.messages must not be empty');
    const sampling: SamplingParams = {
      ...DEFAULT_SAMPLING,
      seed: deriveSeed(key),
      ...stripUndefined(this.options.defaults ?? {}),
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
      user: `sim:${key.simulationId} agent:${key.agentId}${ctx.role ? ` role:${ctx.role}` : ''}`,
      extra: request.extraBody && Object.keys(request.extraBody).length ? { ...request.extraBody } : null,
    };
  }

  /** The HTTP body for a backend. */
  wireBody(n: NormalizedRequest, backend: BackendConfig, stream: boolean): Record<string, unknown> {
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

  private async execute(request: LlmRequest, normalized: NormalizedRequest, key: CallKey, hash: string, ctx: LlmCallContext): Promise<LlmResponse> {
    const started = performance.now();
    const state: ExchangeState = { attempts: 0, queueMs: 0, promptTokens: 0, completionTokens: 0, backend: null };
    const toolNames = request.tools?.length ? new Set(request.tools.map((t) => t.name)) : undefined;

    const first = await this.exchange(normalized, key, ctx, request.stream, state, 'main');
    let parsed = this.parse(first.result, normalized, toolNames, key);
    let serverMs = first.result.serverMs;
    let value: unknown;
    let repaired = false;

    if (request.structured) {
      const v = validateStructured(parsed.content, request.structured);
      if (v.ok) value = v.value;
      else {
        const repairReq: NormalizedRequest = {
          ...normalized,
          messages: [...normalized.messages, { role: 'assistant', content: parsed.content ?? '' }, { role: 'user', content: repairPrompt(v.error) }],
        };
        const second = await this.exchange(repairReq, key, ctx, request.stream, state, 'repair');
        serverMs = second.result.serverMs;
        parsed = this.parse(second.result, repairReq, toolNames, key);
        const v2 = validateStructured(parsed.content, request.structured);
        if (!v2.ok) {
          this.mRepairs.inc({ outcome: 'failed' });
          throw new LlmOutputInvalidError(`Structured output invalid after one repair attempt: ${v2.error}`, parsed.content, v2.error, {
            backend: state.backend?.name,
            attempts: state.attempts,
            details: { firstError: v.error },
          });
        }
        this.mRepairs.inc({ outcome: 'ok' });
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

  private parse(result: SendResult, n: NormalizedRequest, toolNames: ReadonlySet<string> | undefined, key: CallKey) {
    const choice = result.completion.choices[0] ?? {};
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

  /** One request with its retries: slot, HTTP, release, back-off. */
  private async exchange(
    n: NormalizedRequest,
    key: CallKey,
    ctx: LlmCallContext,
    streamOpt: boolean | undefined,
    state: ExchangeState,
    phase: 'main' | 'repair',
  ): Promise<AttemptOutcome> {
    for (let attempt = 1; ; attempt++) {
      const waitStart = performance.now();
      const backend = await this.acquire(n.model, ctx.simulationId, ctx.signal);
      const waited = performance.now() - waitStart;
      state.queueMs += waited;
      state.attempts++;
      state.backend = backend;
      this.mQueueWait.observe({ backend: backend.name }, waited / 1000);
      const stream = streamOpt ?? backend.config.stream ?? this.options.stream ?? false;
      const body = this.wireBody(n, backend.config, stream);
      const t0 = performance.now();
      let error: LlmError;
      try {
        const result = await this.sendWithDeadline(backend, body, stream, ctx, `${callKeyString(key)}#${phase}${attempt}`);
        this.mRequests.inc({ backend: backend.name, outcome: 'ok' });
        this.mLatency.observe({ backend: backend.name }, (performance.now() - t0) / 1000);
        const u = result.completion.usage ?? {};
        state.promptTokens += u.prompt_tokens ?? 0;
        state.completionTokens += u.completion_tokens ?? 0;
        this.mPromptTokens.inc({ backend: backend.name }, u.prompt_tokens ?? 0);
        this.mCompletionTokens.inc({ backend: backend.name }, u.completion_tokens ?? 0);
        return { result, backend };
      } catch (e) {
        error = e instanceof LlmError ? e : new LlmError('LLM_BACKEND_ERROR', (e as Error).message, { cause: e, backend: backend.name });
        error.backend ??= backend.name;
        this.mRequests.inc({ backend: backend.name, outcome: error.code });
        this.mErrors.inc({ backend: backend.name, code: error.code });
        this.mLatency.observe({ backend: backend.name }, (performance.now() - t0) / 1000);
      } finally {
        this.release(backend);
      }
      error.attempts = state.attempts;
      if (!error.retryable || attempt >= this.retry.maxAttempts || this.closed) throw error;
      this.mRetries.inc({ backend: backend.name, code: error.code });
      await sleep(this.backoff(attempt, error.retryAfterMs), ctx.signal);
    }
  }

  private backoff(attempt: number, retryAfterMs?: number): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    const jittered = exp / 2 + (this.random() * exp) / 2;
    return retryAfterMs !== undefined ? Math.min(this.retry.maxDelayMs, Math.max(jittered, retryAfterMs)) : jittered;
  }

  private async sendWithDeadline(backend: Backend, body: Record<string, unknown>, stream: boolean, ctx: LlmCallContext, requestId: string): Promise<SendResult> {
    if (ctx.signal?.aborted) throw new LlmCancelledError();
    const ac = new AbortController();
    let timedOut = false;
    const timeoutMs = ctx.timeoutMs ?? this.timeoutMs;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, timeoutMs);
    const onAbort = () => ac.abort();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await backend.send(body, { signal: ac.signal, stream, requestId });
    } catch (e) {
      if (e instanceof AbortedByCaller || ac.signal.aborted) {
        if (timedOut) throw new LlmTimeoutError(`${backend.name}: no answer within ${timeoutMs} ms (not retried: the generation may still run)`, { backend: backend.name });
        throw new LlmCancelledError('LLM call cancelled while in flight', { backend: backend.name });
      }
      throw e;
    } finally {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
    }
  }

  // ---- slots and the fair queue ----

  private pickBackend(model: string): Backend | undefined {
    const list = this.byModel.get(model);
    if (!list) return undefined;
    let best: Backend | undefined;
    for (const b of list) {
      if (b.inFlight >= b.maxInFlight) continue;
      if (!best || b.inFlight / b.maxInFlight < best.inFlight / best.maxInFlight) best = b;
    }
    return best;
  }

  private acquire(model: string, simulationId: string, signal?: AbortSignal): Promise<Backend> {
    if (this.closed) return Promise.reject(new LlmBackendUnavailableError('LLM gateway closed'));
    if (!this.byModel.has(model)) return Promise.reject(new LlmNoBackendForModelError(model));
    if (signal?.aborted) return Promise.reject(new LlmCancelledError('LLM call cancelled before it was sent'));
    if (this.queue.size === 0) {
      const b = this.pickBackend(model);
      if (b) {
        b.inFlight++;
        return Promise.resolve(b);
      }
    }
    return new Promise<Backend>((resolve, reject) => {
      const onAbort = () => {
        if (this.queue.remove(simulationId, waiter)) reject(new LlmCancelledError('LLM call cancelled while queued'));
      };
      const waiter: Waiter = {
        simulationId,
        model,
        enqueuedAt: performance.now(),
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(simulationId, waiter);
      this.pump();
    });
  }

  private release(b: Backend): void {
    b.inFlight--;
    this.pump();
  }

  private pump(): void {
    for (;;) {
      const w = this.queue.take((x) => this.pickBackend(x.model) !== undefined);
      if (!w) return;
      const b = this.pickBackend(w.model)!;
      b.inFlight++;
      w.cleanup();
      w.resolve(b);
    }
  }

  // ---- observability ----

  metricsText(): string {
    return this.registry.text();
  }

  stats(): {
    backends: Array<{ name: string; inFlight: number; maxInFlight: number; models: string[] }>;
    queued: number;
    queuedBySimulation: Record<string, number>;
    calls: number;
    requests: number;
    promptTokens: number;
    completionTokens: number;
    errors: number;
    retries: number;
    replayed: number;
  } {
    const queuedBySimulation: Record<string, number> = {};
    for (const k of this.queue.keys()) queuedBySimulation[k] = this.queue.sizeOf(k);
    return {
      backends: this.backends.map((b) => ({ name: b.name, inFlight: b.inFlight, maxInFlight: b.maxInFlight, models: [...b.models] })),
      queued: this.queue.size,
      queuedBySimulation,
      calls: this.mCalls.total(),
      requests: this.mRequests.total(),
      promptTokens: this.mPromptTokens.total(),
      completionTokens: this.mCompletionTokens.total(),
      errors: this.mErrors.total(),
      retries: this.mRetries.total(),
      replayed: this.mReplayed.total(),
    };
  }

  /** Rejects queued calls and closes the connection pools (in-flight requests are aborted). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.drain()) {
      w.cleanup();
      w.reject(new LlmBackendUnavailableError('LLM gateway closed'));
    }
    await Promise.all(this.backends.map((b) => b.destroy()));
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Why a recorded call does not answer this request (none: it does), as the paths that differ. */
function replayMismatch(rec: RecordedCall, normalized: NormalizedRequest, hash: string, key: CallKey): string[] {
  if (!rec.origin) {
    if (rec.requestHash === hash) return [];
    const diffs = rec.request ? diffValues(rec.request, normalized) : [];
    return diffs.length ? diffs : [`request hash recorded ${rec.requestHash.slice(0, 12)} vs now ${hash.slice(0, 12)}`];
  }
  if (!rec.request) return ['the recorded request is not available to compare'];
  const recorded = rekeyed(rec.request, rec.key, key);
  return rec.origin.compare === 'prompt' ? diffValues(promptOf(recorded), promptOf(normalized)) : diffValues(recorded, normalized);
}

/**
 * Another simulation's recorded request as this call would have made it: the parts the gateway
 * derives from the call key (the `user` tag, a seed it derived) moved to this key.
 */
function rekeyed(body: NormalizedRequest, from: CallKey, to: CallKey): NormalizedRequest {
  const sampling = { ...body.sampling };
  if (sampling.seed === deriveSeed(from)) sampling.seed = deriveSeed(to);
  return { ...body, sampling, user: body.user.replace(`sim:${from.simulationId} `, `sim:${to.simulationId} `) };
}
