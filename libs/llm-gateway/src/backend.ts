/** One OpenAI-compatible server: an undici keep-alive pool and the HTTP exchange. */
import { Pool } from 'undici';
import {
  LlmBackendError,
  LlmBackendUnavailableError,
  LlmBadRequestError,
  LlmError,
  LlmRateLimitedError,
} from './errors';
import type { BackendConfig } from './types';

/** The parts of an OpenAI chat completion the gateway reads (streamed answers are assembled into it). */
export interface WireCompletion {
  choices: Array<{
    message?: { content?: string | null; tool_calls?: unknown };
    finish_reason?: string | null;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  model?: string;
}

export interface SendResult {
  completion: WireCompletion;
  /** x-sim-service-ms from the simulator (or any server that sends it). */
  serverMs?: number;
}

/** Marks an error raised because the request's signal was aborted (time-out or cancel). */
export class AbortedByCaller extends Error {}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export class Backend {
  readonly name: string;
  readonly models: ReadonlySet<string>;
  readonly maxInFlight: number;
  readonly config: BackendConfig;
  inFlight = 0;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly baseHeaders: Record<string, string>;

  constructor(config: BackendConfig) {
    this.config = config;
    this.name = config.name;
    this.models = new Set(config.models);
    this.maxInFlight = Math.max(1, config.maxInFlight ?? 50);
    const url = new URL(config.baseUrl);
    const prefix = url.pathname.replace(/\/+$/, '');
    this.path = `${prefix === '' ? '/v1' : prefix}/chat/completions`;
    this.pool = new Pool(url.origin, {
      connections: this.maxInFlight,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      // The gateway enforces its own per-request time-out; undici's defaults (300 s) would cut long generations.
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: 10_000,
    });
    this.baseHeaders = { 'content-type': 'application/json', ...(config.headers ?? {}) };
    if (config.apiKey) this.baseHeaders.authorization = `Bearer ${config.apiKey}`;
  }

  get free(): number {
    return this.maxInFlight - this.inFlight;
  }

  async send(body: Record<string, unknown>, opts: { signal: AbortSignal; stream: boolean; requestId: string }): Promise<SendResult> {
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: { ...this.baseHeaders, 'x-request-id': opts.requestId, accept: opts.stream ? 'text/event-stream' : 'application/json' },
        body: JSON.stringify(body),
        signal: opts.signal,
      });
    } catch (e) {
      if (opts.signal.aborted) throw new AbortedByCaller('aborted');
      const code = errorCode(e);
      // Nothing was received: the request can be sent again (refused / reset before a response).
      return Promise.reject(
        new LlmBackendUnavailableError(`${this.name}: connection failed before a response (${code ?? (e as Error).message})`, {
          retryable: code === undefined || CONNECTION_ERROR_CODES.has(code),
          backend: this.name,
          cause: e,
          details: { phase: 'connect', errorCode: code },
        }),
      );
    }
    const status = res.statusCode;
    const serverMsHeader = res.headers['x-sim-service-ms'];
    const serverMs = typeof serverMsHeader === 'string' ? Number(serverMsHeader) : undefined;
    try {
      if (status !== 200) {
        const text = await res.body.text();
        throw this.httpError(status, text, res.headers['retry-after']);
      }
      const contentType = String(res.headers['content-type'] ?? '');
      if (opts.stream && contentType.includes('text/event-stream')) {
        return { completion: await assembleStream(res.body, this.name), serverMs };
      }
      const text = await res.body.text();
      let json: WireCompletion;
      try {
        json = JSON.parse(text) as WireCompletion;
      } catch {
        throw new LlmBackendError(`${this.name}: unparsable response body`, { backend: this.name, status, details: { body: text.slice(0, 200) } });
      }
      if (!json || !Array.isArray(json.choices) || json.choices.length === 0) {
        throw new LlmBackendError(`${this.name}: response without choices`, { backend: this.name, status });
      }
      return { completion: json, serverMs: serverMs !== undefined && Number.isFinite(serverMs) ? serverMs : undefined };
    } catch (e) {
      if (e instanceof LlmError) throw e;
      if (opts.signal.aborted) throw new AbortedByCaller('aborted');
      // The connection broke after the server answered: the generation ran; do not send it again.
      throw new LlmBackendUnavailableError(`${this.name}: connection dropped mid-response (${errorCode(e) ?? (e as Error).message})`, {
        retryable: false,
        backend: this.name,
        status,
        cause: e,
        details: { phase: 'response', errorCode: errorCode(e) },
      });
    }
  }

  private httpError(status: number, text: string, retryAfter: string | string[] | undefined): LlmError {
    let message = text.slice(0, 500);
    try {
      const j = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } };
      if (typeof j.message === 'string') message = j.message;
      else if (j.error && typeof j.error.message === 'string') message = j.error.message;
    } catch {
      // not JSON
    }
    const init = { backend: this.name, status, details: { body: text.slice(0, 500) } };
    if (status === 429) {
      const ra = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
      const secs = ra !== undefined ? Number(ra) : NaN;
      return new LlmRateLimitedError(`${this.name}: rate limited (429): ${message}`, {
        ...init,
        retryable: true,
        retryAfterMs: Number.isFinite(secs) ? secs * 1000 : undefined,
      });
    }
    if (status === 503) return new LlmBackendUnavailableError(`${this.name}: unavailable (503): ${message}`, { ...init, retryable: true });
    if (status >= 400 && status < 500) return new LlmBadRequestError(`${this.name}: ${status}: ${message}`, init);
    // 500/502/504: the server or a proxy in front of it broke, not the request: asked again like a 503.
    return new LlmBackendError(`${this.name}: ${status}: ${message}`, { ...init, retryable: true });
  }

  close(): Promise<void> {
    return this.pool.close().catch(() => undefined);
  }

  destroy(): Promise<void> {
    return this.pool.destroy().catch(() => undefined);
  }
}

interface StreamToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/** Assembles an SSE chat-completion stream into the non-streamed shape. */
export async function assembleStream(body: AsyncIterable<Buffer | string>, backend: string): Promise<WireCompletion> {
  let buf = '';
  let content: string | null = null;
  const tools: StreamToolCall[] = [];
  let finish: string | null = null;
  let usage: WireCompletion['usage'] = null;
  let model: string | undefined;
  let done = false;

  const onData = (data: string) => {
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let chunk: {
      object?: string;
      message?: string;
      model?: string;
      usage?: WireCompletion['usage'];
      choices?: Array<{
        delta?: { content?: string | null; tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }> };
        finish_reason?: string | null;
      }>;
    };
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new LlmBackendError(`${backend}: unparsable stream chunk`, { backend, details: { chunk: data.slice(0, 200) } });
    }
    if (chunk.object === 'error') throw new LlmBackendError(`${backend}: error in stream: ${chunk.message ?? ''}`, { backend });
    if (chunk.model) model = chunk.model;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const d = choice.delta ?? {};
      if (typeof d.content === 'string') content = (content ?? '') + d.content;
      for (const tc of d.tool_calls ?? []) {
        const i = tc.index ?? tools.length;
        const t = (tools[i] ??= { name: '', arguments: '' });
        if (tc.id) t.id = tc.id;
        if (tc.function?.name) t.name += tc.function.name;
        if (tc.function?.arguments) t.arguments += tc.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  };

  for await (const part of body) {
    buf += typeof part === 'string' ? part : part.toString('utf8');
    let idx: number;
    while ((idx = buf.search(/\r?\n\r?\n/)) >= 0) {
      const event = buf.slice(0, idx);
      buf = buf.slice(idx + (buf[idx] === '\r' ? 4 : 2));
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) onData(data);
    }
  }
  if (!done) throw new Error('stream ended before [DONE]');
  return {
    model,
    choices: [
      {
        message: {
          content,
          tool_calls: tools.filter(Boolean).map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })),
        },
        finish_reason: finish,
      },
    ],
    usage,
  };
}
