/**
 * LlmGateway: the one client for OpenAI-compatible servers (vLLM first). A facade over its parts:
 *
 * - request.ts: the request normalized (every sampling parameter explicit, a seed from the call key)
 *   and the HTTP body in a backend's dialect;
 * - recording-layer.ts: answers from a replay source, or records the live call around it; accounting;
 * - scheduler.ts: at most `maxInFlight` requests per backend, a fair round-robin queue across
 *   simulations beyond that, and the least loaded backend of a model;
 * - http-attempt.ts: one request with its retries (connection errors before a response, 429, 5xx;
 *   never a time-out: the generation may still be running on the server);
 * - live-call.ts: the answer parsed (parse-completion.ts), structured output validated with one repair.
 */
import { gatewayOptionsFromEnv } from './config';
import { LlmError } from './errors';
import { GatewayMetrics } from './gateway-metrics';
import { HttpAttempts, retrySettings } from './http-attempt';
import { liveCall } from './live-call';
import type { LlmGatewayOptions } from './options';
import { hashRequest } from './recording';
import { RecordingLayer } from './recording-layer';
import { normalizeRequest, wireBody } from './request';
import { BackendScheduler } from './scheduler';
import type { BackendConfig, CallKey, LlmCallContext, LlmRequest, LlmResponse, LlmResult, NormalizedRequest } from './types';

export { DEFAULT_SAMPLING } from './request';
export type { CallAccounting, LlmGatewayOptions, RetryOptions } from './options';

export class LlmGateway {
  private readonly scheduler: BackendScheduler;
  private readonly metrics: GatewayMetrics;
  private readonly attempts: HttpAttempts;
  private readonly recording: RecordingLayer;
  private readonly seqs = new Map<string, number>();

  constructor(private readonly options: LlmGatewayOptions) {
    this.scheduler = new BackendScheduler(options.backends);
    this.metrics = new GatewayMetrics(this.scheduler);
    this.attempts = new HttpAttempts(this.scheduler, this.metrics, {
      retry: retrySettings(options.retry),
      timeoutMs: options.timeoutMs ?? 600_000,
      stream: options.stream,
      random: options.random ?? Math.random,
    });
    this.recording = new RecordingLayer(options, this.metrics);
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
    return this.scheduler.models();
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
    return this.recording.answer({ key, model: request.model, normalized, hash }, () =>
      liveCall(this.attempts, this.metrics, request, normalized, key, hash, ctx),
    );
  }

  /** A call answered from another simulation's recording alone (see RecordingLayer.replayRecorded). */
  replayRecorded(key: CallKey): Promise<LlmResult | null> {
    return this.recording.replayRecorded(key);
  }

  /** The request as hashed and recorded: every sampling parameter filled in. */
  normalize(request: LlmRequest, key: CallKey, ctx: Pick<LlmCallContext, 'role'> = {}): NormalizedRequest {
    return normalizeRequest(request, key, this.options.defaults, ctx.role);
  }

  /** The HTTP body for a backend. */
  wireBody(n: NormalizedRequest, backend: BackendConfig, stream: boolean): Record<string, unknown> {
    return wireBody(n, backend, stream);
  }

  metricsText(): string {
    return this.metrics.text();
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
    const m = this.metrics;
    return {
      backends: this.scheduler.backends.map((b) => ({ name: b.name, inFlight: b.inFlight, maxInFlight: b.maxInFlight, models: [...b.models] })),
      queued: this.scheduler.queued,
      queuedBySimulation: this.scheduler.queuedBySimulation(),
      calls: m.calls.total(),
      requests: m.requests.total(),
      promptTokens: m.promptTokens.total(),
      completionTokens: m.completionTokens.total(),
      errors: m.errors.total(),
      retries: m.retries.total(),
      replayed: m.replayed.total(),
    };
  }

  /** Rejects queued calls and closes the connection pools (in-flight requests are aborted). */
  close(): Promise<void> {
    return this.scheduler.close();
  }

  private nextSeq(ctx: LlmCallContext): number {
    const k = `${ctx.simulationId}\u0000${ctx.agentId}`;
    const n = (this.seqs.get(k) ?? 0) + 1;
    this.seqs.set(k, n);
    return n;
  }
}
