/**
 * One request to a backend with its retries: a slot from the scheduler, the HTTP exchange under a
 * deadline, the slot given back, and a jittered exponential back-off. Retried only when the error
 * says so (connection errors before a response, 429, 5xx); never a time-out, since the generation
 * may still run on the server.
 */
import { AbortedByCaller, type Backend, type SendResult } from './backend';
import { callKeyString, type CallKey } from './call-key';
import { LlmCancelledError, LlmError, LlmTimeoutError } from './errors';
import type { GatewayMetrics } from './gateway-metrics';
import type { RetryOptions } from './options';
import { wireBody } from './request';
import type { BackendScheduler } from './scheduler';
import type { LlmCallContext, NormalizedRequest } from './types';

export interface AttemptOutcome {
  result: SendResult;
  backend: Backend;
}

/** What the attempts of one logical call add up to (the repair's attempts included). */
export interface ExchangeState {
  attempts: number;
  queueMs: number;
  promptTokens: number;
  completionTokens: number;
  backend: Backend | null;
}

export interface AttemptSettings {
  retry: Required<RetryOptions>;
  /** Per HTTP attempt, unless the call gives its own. */
  timeoutMs: number;
  /** The gateway's streaming default (under the request's and the backend's). */
  stream?: boolean;
  random: () => number;
}

/** The retry settings with their defaults filled in. */
export function retrySettings(retry: RetryOptions | undefined): Required<RetryOptions> {
  return {
    maxAttempts: Math.max(1, retry?.maxAttempts ?? 4),
    baseDelayMs: retry?.baseDelayMs ?? 250,
    maxDelayMs: retry?.maxDelayMs ?? 10_000,
  };
}

/** The wait before attempt `attempt + 1`: exponential, half fixed and half random, capped; a server's Retry-After is honoured up to the cap. */
export function backoffMs(retry: Required<RetryOptions>, attempt: number, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  return retryAfterMs !== undefined ? Math.min(retry.maxDelayMs, Math.max(jittered, retryAfterMs)) : jittered;
}

export class HttpAttempts {
  constructor(
    private readonly scheduler: BackendScheduler,
    private readonly metrics: GatewayMetrics,
    private readonly settings: AttemptSettings,
  ) {}

  /** One request with its retries: slot, HTTP, release, back-off. */
  async exchange(
    n: NormalizedRequest,
    key: CallKey,
    ctx: LlmCallContext,
    streamOpt: boolean | undefined,
    state: ExchangeState,
    phase: 'main' | 'repair',
  ): Promise<AttemptOutcome> {
    const m = this.metrics;
    for (let attempt = 1; ; attempt++) {
      const waitStart = performance.now();
      const backend = await this.scheduler.acquire(n.model, ctx.simulationId, ctx.signal);
      const waited = performance.now() - waitStart;
      state.queueMs += waited;
      state.attempts++;
      state.backend = backend;
      m.queueWait.observe({ backend: backend.name }, waited / 1000);
      const stream = streamOpt ?? backend.config.stream ?? this.settings.stream ?? false;
      const body = wireBody(n, backend.config, stream);
      const t0 = performance.now();
      let error: LlmError;
      try {
        const result = await this.sendWithDeadline(backend, body, stream, ctx, `${callKeyString(key)}#${phase}${attempt}`);
        m.requests.inc({ backend: backend.name, outcome: 'ok' });
        m.latency.observe({ backend: backend.name }, (performance.now() - t0) / 1000);
        const u = result.completion.usage ?? {};
        state.promptTokens += u.prompt_tokens ?? 0;
        state.completionTokens += u.completion_tokens ?? 0;
        m.promptTokens.inc({ backend: backend.name }, u.prompt_tokens ?? 0);
        m.completionTokens.inc({ backend: backend.name }, u.completion_tokens ?? 0);
        return { result, backend };
      } catch (e) {
        error = e instanceof LlmError ? e : new LlmError('LLM_BACKEND_ERROR', (e as Error).message, { cause: e, backend: backend.name });
        error.backend ??= backend.name;
        m.requests.inc({ backend: backend.name, outcome: error.code });
        m.errors.inc({ backend: backend.name, code: error.code });
        m.latency.observe({ backend: backend.name }, (performance.now() - t0) / 1000);
      } finally {
        this.scheduler.release(backend);
      }
      error.attempts = state.attempts;
      if (!error.retryable || attempt >= this.settings.retry.maxAttempts || this.scheduler.closed) throw error;
      m.retries.inc({ backend: backend.name, code: error.code });
      await sleep(backoffMs(this.settings.retry, attempt, this.settings.random, error.retryAfterMs), ctx.signal);
    }
  }

  private async sendWithDeadline(backend: Backend, body: Record<string, unknown>, stream: boolean, ctx: LlmCallContext, requestId: string): Promise<SendResult> {
    if (ctx.signal?.aborted) throw new LlmCancelledError();
    const ac = new AbortController();
    let timedOut = false;
    const timeoutMs = ctx.timeoutMs ?? this.settings.timeoutMs;
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
