import { SseParser } from './sse';
import type { Experiment, ExperimentCreated, ExperimentResults, ExperimentSummary } from './experiment-types';
import type {
  ChatExample,
  ForkResult,
  HistoryEvent,
  Page,
  ProjectSummary,
  ReplayResult,
  Simulation,
  SimulationSummary,
  StartResult,
  Workspace,
} from './types';

/** An answer of the API with an error body `{error: {code, message, field?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API could not be reached at all (refused, DNS, reset): no HTTP answer. */
export class UnreachableError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`cannot reach ${url}: ${cause instanceof Error ? (cause.cause as Error | undefined)?.message ?? cause.message : String(cause)}`);
    this.name = 'UnreachableError';
  }
}

export interface ClientOptions {
  /** e.g. http://localhost:3000, or '' in the browser for the page's own origin. */
  baseUrl: string;
  /** Read before each request, so a key entered later (after a 401) is used from then on. */
  apiKey?: () => string | undefined;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined | null>;

const queryString = (q: Query = {}) => {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** The public REST API of project-management over `fetch` only: runs in a browser and in Node. */
export class SweSimClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
  }

  get baseUrl(): string {
    return this.options.baseUrl.replace(/\/$/, '');
  }

  /** One request; a non-2xx answer is an ApiError with the body's code (or HTTP_<status> without one). */
  async request(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<Response> {
    const url = `${this.baseUrl}${path}${queryString(options.query)}`;
    const headers: Record<string, string> = {};
    const key = this.options.apiKey?.();
    if (key) headers.authorization = `Bearer ${key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: options.signal });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new UnreachableError(url, err);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let error: { code?: string; message?: string; field?: string } = {};
      try {
        error = JSON.parse(text).error ?? {};
      } catch {
        // Not our error body (a proxy's page): the status says enough.
      }
      throw new ApiError(res.status, error.code ?? `HTTP_${res.status}`, error.message ?? (text.slice(0, 200) || res.statusText), error.field);
    }
    return res;
  }

  private async json<T>(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    return (await (await this.request(method, path, options)).json()) as T;
  }

  listProjects(q: { limit?: number; cursor?: string } = {}) {
    return this.json<Page<ProjectSummary>>('GET', '/projects', { query: q });
  }
  getProject(id: string) {
    return this.json<ProjectSummary & Record<string, unknown>>('GET', `/projects/${id}`);
  }
  createProject(body: unknown) {
    return this.json<{ projectId: string }>('POST', '/projects', { body });
  }
  listSimulations(q: { projectId?: string; limit?: number; cursor?: string } = {}) {
    return this.json<Page<SimulationSummary>>('GET', '/simulations', { query: q });
  }
  getSimulation(id: string, signal?: AbortSignal) {
    return this.json<Simulation>('GET', `/simulations/${id}`, { signal });
  }
  startSimulation(projectId: string, body: unknown = {}) {
    return this.json<StartResult>('POST', `/projects/${projectId}/simulations`, { body });
  }
  cancel(id: string, reason?: string) {
    return this.json<unknown>('POST', `/simulations/${id}/cancel`, { body: reason ? { reason } : {} });
  }
  replay(id: string, waitMs?: number) {
    return this.json<ReplayResult>('POST', `/simulations/${id}/replay`, { body: waitMs === undefined ? {} : { waitMs } });
  }
  fork(id: string, body: { atPosition: number; overrides?: unknown }) {
    return this.json<ForkResult>('POST', `/simulations/${id}/fork`, { body });
  }
  events(id: string, q: { after?: string; limit?: number } = {}) {
    return this.json<Page<HistoryEvent> & { nextCursor: string }>('GET', `/simulations/${id}/events`, { query: q });
  }
  state(id: string, at?: number) {
    return this.json<Record<string, any>>('GET', `/simulations/${id}/state`, { query: { at } });
  }
  workspace(id: string, q: { at?: number; team?: string; content?: boolean } = {}) {
    return this.json<Workspace>('GET', `/simulations/${id}/workspace`, { query: q });
  }

  createExperiment(body: unknown) {
    return this.json<ExperimentCreated>('POST', '/experiments', { body });
  }
  listExperiments(q: { limit?: number; cursor?: string } = {}) {
    return this.json<Page<ExperimentSummary>>('GET', '/experiments', { query: q });
  }
  getExperiment(id: string, signal?: AbortSignal) {
    return this.json<Experiment>('GET', `/experiments/${id}`, { signal });
  }
  /** pause, resume or cancel: an empty body. */
  controlExperiment(id: string, action: 'pause' | 'resume' | 'cancel') {
    return this.json<{ experimentId: string; status: string }>('POST', `/experiments/${id}/${action}`, { body: {} });
  }
  extendExperiment(id: string, body: { seeds?: number[]; variants?: unknown[] }) {
    return this.json<{ experimentId: string; status: string; runs: number }>('POST', `/experiments/${id}/extend`, { body });
  }
  experimentResults(id: string, signal?: AbortSignal) {
    return this.json<ExperimentResults>('GET', `/experiments/${id}/results`, { signal });
  }
  async experimentResultsCsv(id: string): Promise<string> {
    return (await this.request('GET', `/experiments/${id}/results`, { query: { format: 'csv' } })).text();
  }

  /** Every event committed so far, page by page. */
  async allEvents(id: string): Promise<HistoryEvent[]> {
    const all: HistoryEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.events(id, { after, limit: 1000 });
      all.push(...page.items);
      if (page.items.length < 1000) return all;
      after = page.nextCursor;
    }
  }

  /** The export's JSON lines (`events` or `chat`), as they stream in. */
  async *exportLines(id: string, q: { format: 'events' | 'chat'; metadata?: boolean }, signal?: AbortSignal): AsyncGenerator<string> {
    const res = await this.request('GET', `/simulations/${id}/export`, { query: q, signal });
    let buffer = '';
    for await (const text of bodyText(res, signal)) {
      buffer += text;
      let cut: number;
      while ((cut = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 1);
        if (line.trim()) yield line;
      }
    }
    if (buffer.trim()) yield buffer;
  }

  /** Each LLM call of a simulation with its messages and where it came from. */
  async conversations(id: string, signal?: AbortSignal): Promise<ChatExample[]> {
    const out: ChatExample[] = [];
    for await (const line of this.exportLines(id, { format: 'chat', metadata: true }, signal)) out.push(JSON.parse(line));
    return out;
  }

  /**
   * The live history (`/events/stream`): the events so far, then each as it commits, until
   * `signal` aborts. `after` resumes after an SSE id (a cursor).
   */
  async *stream(id: string, options: { after?: string; signal?: AbortSignal } = {}): AsyncGenerator<HistoryEvent & { cursor?: string }> {
    const res = await this.request('GET', `/simulations/${id}/events/stream`, { query: { after: options.after }, signal: options.signal });
    const parser = new SseParser();
    for await (const text of bodyText(res, options.signal)) {
      for (const m of parser.push(text)) yield { ...(JSON.parse(m.data) as HistoryEvent), cursor: m.id };
    }
  }

  /**
   * GET /simulations/:id until it answers: right after a start, a fork or a replay the read model
   * may not have caught up yet and answers 404 for a moment.
   */
  async waitForSimulation(id: string, timeoutMs = 15_000, signal?: AbortSignal): Promise<Simulation> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.getSimulation(id, signal);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404) || Date.now() > deadline) throw err;
      }
      await sleep(200, signal);
    }
  }
}

/** A response body as text chunks; ends quietly when `signal` aborts. */
async function* bodyText(res: Response, signal?: AbortSignal): AsyncGenerator<string> {
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read().catch((err) => {
        if (signal?.aborted) return { value: undefined, done: true as const };
        throw err;
      });
      if (done) break;
      yield decoder.decode(value, { stream: true });
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/** Ended for good: nothing will move it any more (a resumable failure is not an end). */
export const isEnded = (sim: { status: string; failure?: { resumable: boolean } | null }) =>
  sim.status === 'completed' || sim.status === 'cancelled' || (sim.status === 'failed' && !sim.failure?.resumable);
