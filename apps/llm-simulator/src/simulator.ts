/**
 * The LLM simulator: an OpenAI-compatible HTTP server (node:http) standing in for vLLM.
 * Deterministic scripted answers, continuous-batching timing, fault injection.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { BatchEngine, EngineStats, EngineTiming, SequenceView } from './engine';
import { ChatRequest, ChatRequestSchema, errorBody, wantsJson, zodMessage } from './protocol';
import { mulberry32 } from '@swe-sim/kit';
import { FAULT_KINDS, FaultKind, Script, ScriptAnswer, ScriptSpec } from './script';
import { CHARS_PER_TOKEN, countPromptTokens, countTokens } from './tokens';

export type FaultRates = Partial<Record<FaultKind, number>>;

export interface LlmSimulatorOptions {
  /** Served model names (GET /v1/models); other names get vLLM's 404. Default ['sim-model']. */
  models?: string[];
  /** Accept any model name in requests (default false). */
  acceptAnyModel?: boolean;
  /** The script (object or a parsed Script); default: every answer is "OK." ("{}" for JSON requests). */
  script?: Script | ScriptSpec;
  /** real ms = simulated ms × timeScale. Default 1 (real time); 0.01 runs 100× faster. */
  timeScale?: number;
  /** Engine timing (batch size, step costs, prefill rate). */
  timing?: Partial<EngineTiming>;
  /** Minimum real ms between engine ticks (default 4). */
  minTickMs?: number;
  /** Context length (prompt + completion), default 131072. */
  maxModelLen?: number;
  /** Random fault rates per request (0..1 each, summed ≤ 1), deterministic with `seed`. */
  faults?: FaultRates;
  /** Seed of the fault PRNG (default 1). */
  seed?: number;
  /** Like vLLM's --max-num-queued-reqs: 503 when this many requests already wait. Default unbounded. */
  maxQueued?: number;
  /** Default host for listen() (127.0.0.1). */
  host?: string;
}

export interface SimulatorStats {
  /** Chat-completion requests received (including invalid and faulted ones). */
  requests: number;
  /** Requests answered completely with 200. */
  completed: number;
  /** Requests whose client went away before the answer was complete. */
  aborted: number;
  /** Responses by HTTP status (faults included). */
  byStatus: Record<string, number>;
  /** Faults injected, by kind (script rules and random). */
  faults: Record<string, number>;
  /** Requests accepted by the engine and not finished (running + waiting). */
  inEngine: number;
  /** Peak of inEngine. */
  peakInEngine: number;
  /** Requests hanging because of an injected time-out. */
  hanging: number;
  promptTokens: number;
  completionTokens: number;
  engine: EngineStats;
}

export interface LlmSimulator {
  listen(port?: number, host?: string): Promise<{ port: number; host: string; url: string; baseUrl: string }>;
  close(): Promise<void>;
  stats(): SimulatorStats;
  metricsText(): string;
  /** Output tokens per simulated second with `batch` sequences decoding (no prefill). */
  theoreticalMaxTokensPerSecond(batch: number): number;
  /** The ceiling of a workload (mean prompt and output tokens per call) with `batch` requests always in the batch, prefill included. */
  workloadMaxTokensPerSecond(batch: number, workload: { promptTokens: number; outputTokens: number }): number;
  /** /health answers 503 while unhealthy. */
  setHealthy(healthy: boolean): void;
  readonly engine: BatchEngine;
  readonly script: Script;
  readonly timeScale: number;
  readonly options: LlmSimulatorOptions;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

interface LatencyHist {
  buckets: number[];
  counts: number[];
  sum: number;
  count: number;
}

function newHist(buckets: number[]): LatencyHist {
  return { buckets, counts: buckets.map(() => 0), sum: 0, count: 0 };
}
function observe(h: LatencyHist, v: number): void {
  h.sum += v;
  h.count++;
  for (let i = 0; i < h.buckets.length; i++) if (v <= h.buckets[i]) h.counts[i]++;
}

export function createLlmSimulator(options: LlmSimulatorOptions = {}): LlmSimulator {
  const models = options.models ?? ['sim-model'];
  const script = options.script instanceof Script ? options.script : new Script(options.script ?? []);
  const timeScale = options.timeScale ?? 1;
  const engine = new BatchEngine({ ...options.timing, timeScale, minTickMs: options.minTickMs });
  const maxModelLen = options.maxModelLen ?? 131072;
  const rates = options.faults ?? {};
  const rand = mulberry32(options.seed ?? 1);
  let healthy = true;
  let nextId = 1;

  const counters = {
    requests: 0,
    completed: 0,
    aborted: 0,
    byStatus: {} as Record<string, number>,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<string, number>,
    inEngine: 0,
    peakInEngine: 0,
    promptTokens: 0,
    completionTokens: 0,
    success: {} as Record<string, number>,
  };
  const e2e = newHist([0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680]);
  const ttft = newHist([0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560]);
  const hanging = new Set<ServerResponse>();

  function count(status: number): void {
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    count(status);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function sendError(res: ServerResponse, status: number, message: string): void {
    sendJson(res, status, errorBody(status, message));
  }

  function drawFault(structured: boolean): FaultKind | undefined {
    const r = rand();
    let acc = 0;
    for (const k of FAULT_KINDS) {
      acc += rates[k] ?? 0;
      if (r < acc) return k === 'malformed' && !structured ? undefined : k;
    }
    return undefined;
  }

  function metricsText(): string {
    const es = engine.stats();
    const lbl = `model_name="${models[0]}"`;
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of samples) lines.push(`${name}{${labels}} ${v}`);
    };
    metric('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', [[lbl, es.running]]);
    metric('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', [[lbl, es.waiting]]);
    metric('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage (simulated: running / max batch).', [[lbl, es.running / engine.timing.maxBatch]]);
    metric('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', [[lbl, counters.promptTokens]]);
    metric('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', [[lbl, counters.completionTokens]]);
    metric(
      'vllm:request_success_total',
      'counter',
      'Count of successfully processed requests.',
      Object.entries(counters.success).map(([reason, n]) => [`${lbl},finished_reason="${reason}"`, n]),
    );
    const hist = (name: string, help: string, h: LatencyHist) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      h.buckets.forEach((b, i) => lines.push(`${name}_bucket{${lbl},le="${b}"} ${h.counts[i]}`));
      lines.push(`${name}_bucket{${lbl},le="+Inf"} ${h.count}`, `${name}_sum{${lbl}} ${h.sum}`, `${name}_count{${lbl}} ${h.count}`);
    };
    hist('vllm:e2e_request_latency_seconds', 'End-to-end request latency in simulated seconds.', e2e);
    hist('vllm:time_to_first_token_seconds', 'Time to first token in simulated seconds.', ttft);
    lines.push('# HELP llm_sim_requests_total Chat-completion requests received by the simulator.', '# TYPE llm_sim_requests_total counter');
    lines.push(`llm_sim_requests_total ${counters.requests}`);
    lines.push('# HELP llm_sim_faults_total Faults injected by the simulator.', '# TYPE llm_sim_faults_total counter');
    for (const [k, n] of Object.entries(counters.faults)) lines.push(`llm_sim_faults_total{kind="${k}"} ${n}`);
    return lines.join('\n') + '\n';
  }

  async function handleChat(req: IncomingMessage, res: ServerResponse, startReal: number): Promise<void> {
    counters.requests++;
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (e) {
      if ((e as Error).message === 'too large') return sendError(res, 413, 'Request body too large');
      return; // client went away
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return sendError(res, 400, 'Invalid JSON in request body');
    }
    const parsed = ChatRequestSchema.safeParse(json);
    if (!parsed.success) return sendError(res, 400, zodMessage(parsed.error));
    const body = parsed.data;
    if (!options.acceptAnyModel && !models.includes(body.model)) {
      return sendJson(res, 404, errorBody(404, `The model \`${body.model}\` does not exist.`, 'model'));
    }
    const promptTokens = countPromptTokens(body);
    const requestedMax = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    if (promptTokens + (requestedMax ?? 0) > maxModelLen || promptTokens >= maxModelLen) {
      return sendError(
        res,
        400,
        `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptTokens + (requestedMax ?? 0)} tokens (${promptTokens} in the messages, ${requestedMax ?? 0} in the completion). Please reduce the length of the messages or completion.`,
      );
    }
    const maxTokens = requestedMax ?? maxModelLen - promptTokens;
    const structured = wantsJson(body);
    const answer = script.answer({ model: body.model, messages: body.messages, user: body.user ?? undefined, structured });
    const drawn = drawFault(structured);
    const fault = answer.fault ?? drawn;
    if (fault) counters.faults[fault]++;
    switch (fault) {
      case '429':
        return sendError(res, 429, 'Too many requests (simulated).');
      case '500':
        return sendError(res, 500, 'Internal server error (simulated).');
      case '503':
        return sendError(res, 503, 'The server is temporarily unavailable (simulated).');
      case 'reset':
        req.socket.destroy();
        return;
      case 'timeout':
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      default:
        break;
    }
    if (options.maxQueued !== undefined && engine.waitingCount >= options.maxQueued) {
      return sendError(res, 503, 'The server is overloaded: too many queued requests.');
    }
    if (fault === 'malformed' && answer.content !== null) answer.content = corrupt(answer.content);
    else if (fault === 'malformed') answer.content = '{"';

    const plan = layout(answer, body, maxTokens);
    const id = `chatcmpl-sim-${nextId++}`;
    const created = Math.floor(Date.now() / 1000);
    const stream = body.stream === true;
    const includeUsage = stream && body.stream_options?.include_usage === true;
    const drop = fault === 'drop';

    counters.inEngine++;
    if (counters.inEngine > counters.peakInEngine) counters.peakInEngine = counters.inEngine;
    let finished = false;
    let sentChars = 0;
    let sentTools = 0;
    let roleSent = false;

    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model: body.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      })}\n\n`;

    const done = (seq: SequenceView) => {
      finished = true;
      counters.inEngine--;
      const serviceMs = performance.now() - startReal;
      const queueMs = ((seq.admittedV ?? seq.arrivalV) - seq.arrivalV) * timeScale;
      counters.promptTokens += promptTokens;
      counters.completionTokens += plan.target;
      counters.success[plan.finishReason] = (counters.success[plan.finishReason] ?? 0) + 1;
      observe(e2e, ((seq.finishedV ?? 0) - seq.arrivalV) / 1000);
      if (seq.firstTokenV !== undefined) observe(ttft, (seq.firstTokenV - seq.arrivalV) / 1000);
      return { serviceMs, queueMs };
    };

    const usage = () => ({ prompt_tokens: promptTokens, total_tokens: promptTokens + plan.target, completion_tokens: plan.target, prompt_tokens_details: null });

    if (stream) {
      count(200);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': id, 'x-sim-rule': answer.rule ?? '' });
      res.flushHeaders();
    }

    const handle = engine.submit(promptTokens, plan.target, (seq) => {
      if (res.destroyed) return;
      if (stream) {
        let out = '';
        const visible = visibleAt(plan, seq.generated);
        if (!roleSent && seq.generated > 0) {
          out += chunk({ role: 'assistant', content: '' });
          roleSent = true;
        }
        if (visible.chars > sentChars) {
          out += chunk({ content: plan.content!.slice(sentChars, visible.chars) });
          sentChars = visible.chars;
        }
        while (sentTools < visible.tools) {
          const t = plan.toolCalls[sentTools];
          out += chunk({ tool_calls: [{ index: sentTools, id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }] });
          sentTools++;
        }
        if (drop && seq.generated * 2 >= plan.target && seq.state !== 'done') {
          counters.inEngine--;
          finished = true;
          handle.cancel();
          if (out) res.write(out, () => res.socket?.destroy());
          else res.socket?.destroy();
          return;
        }
        if (seq.state === 'done') {
          done(seq);
          out += chunk({}, plan.finishReason);
          if (includeUsage) out += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: usage() })}\n\n`;
          out += 'data: [DONE]\n\n';
          if (drop) {
            res.write(out.slice(0, Math.floor(out.length / 2)), () => res.socket?.destroy());
            return;
          }
          counters.completed++;
          res.end(out);
          return;
        }
        if (out) res.write(out);
        return;
      }
      if (seq.state !== 'done') return;
      const { serviceMs, queueMs } = done(seq);
      const visible = visibleAt(plan, seq.generated);
      const message = {
        role: 'assistant',
        content: plan.content === null ? null : plan.content.slice(0, visible.chars),
        tool_calls: plan.toolCalls.slice(0, visible.tools).map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })),
        reasoning_content: null,
      };
      const text = JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason, stop_reason: null }],
        usage: usage(),
        prompt_logprobs: null,
      });
      count(200);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'x-request-id': id,
        'x-sim-service-ms': serviceMs.toFixed(3),
        'x-sim-queue-ms': queueMs.toFixed(3),
        'x-sim-rule': answer.rule ?? '',
      });
      if (drop) {
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        return;
      }
      counters.completed++;
      res.end(text);
    });

    res.on('close', () => {
      if (finished) return;
      finished = true;
      counters.inEngine--;
      counters.aborted++;
      handle.cancel();
    });
  }

  const server: Server = createServer((req, res) => {
    const startReal = performance.now();
    const url = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const route = `${method} ${url}`;
    try {
      if (route === 'POST /v1/chat/completions') {
        handleChat(req, res, startReal).catch((e) => {
          if (!res.headersSent) sendError(res, 500, `simulator error: ${(e as Error).message}`);
          else res.destroy();
        });
        return;
      }
      req.resume();
      if (route === 'GET /health') {
        if (healthy) {
          count(200);
          res.writeHead(200, { 'content-length': 0 });
          res.end();
        } else sendError(res, 503, 'Engine is unhealthy (simulated).');
        return;
      }
      if (route === 'GET /v1/models') {
        return sendJson(res, 200, {
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'vllm', root: id, parent: null, max_model_len: maxModelLen, permission: [] })),
        });
      }
      if (route === 'GET /metrics') {
        const text = metricsText();
        count(200);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (['/v1/chat/completions', '/health', '/v1/models', '/metrics'].includes(url)) return sendError(res, 405, 'Method Not Allowed');
      return sendError(res, 404, 'Not Found');
    } catch (e) {
      if (!res.headersSent) sendError(res, 500, `simulator error: ${(e as Error).message}`);
    }
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;

  let listening = false;

  return {
    engine,
    script,
    timeScale,
    options,
    listen(port?: number, host?: string) {
      const h = host ?? options.host ?? '127.0.0.1';
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port ?? 0, h, () => {
          server.off('error', reject);
          listening = true;
          const p = (server.address() as AddressInfo).port;
          const url = `http://${h.includes(':') ? `[${h}]` : h}:${p}`;
          resolve({ port: p, host: h, url, baseUrl: `${url}/v1` });
        });
      });
    },
    close() {
      engine.stop();
      for (const res of hanging) res.destroy();
      hanging.clear();
      if (!listening) return Promise.resolve();
      listening = false;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    stats(): SimulatorStats {
      return {
        requests: counters.requests,
        completed: counters.completed,
        aborted: counters.aborted,
        byStatus: { ...counters.byStatus },
        faults: { ...counters.faults },
        inEngine: counters.inEngine,
        peakInEngine: counters.peakInEngine,
        hanging: hanging.size,
        promptTokens: counters.promptTokens,
        completionTokens: counters.completionTokens,
        engine: engine.stats(),
      };
    },
    metricsText,
    theoreticalMaxTokensPerSecond: (batch: number) => engine.theoreticalMaxTokensPerSecond(batch),
    workloadMaxTokensPerSecond: (batch: number, workload: { promptTokens: number; outputTokens: number }) => engine.workloadMaxTokensPerSecond(batch, workload),
    setHealthy(h: boolean) {
      healthy = h;
    },
  };
}

interface OutputPlan {
  content: string | null;
  contentTokens: number;
  toolCalls: Array<{ id: string; name: string; arguments: string; endToken: number }>;
  target: number;
  finishReason: string;
}

/** Where each part of the answer sits in the token stream: content first, then tool calls, then invisible padding. */
function layout(answer: ScriptAnswer, body: ChatRequest, maxTokens: number): OutputPlan {
  const contentTokens = countTokens(answer.content);
  let pos = contentTokens;
  const callPrefix = `call_${Math.abs(hashString(JSON.stringify(body.messages))).toString(36)}`;
  const toolCalls = answer.toolCalls.map((t, i) => {
    pos += Math.max(1, countTokens(t.name + t.arguments));
    return { id: `${callPrefix}_${i}`, name: t.name, arguments: t.arguments, endToken: pos };
  });
  const natural = Math.max(1, pos);
  let desired = Math.max(natural, answer.completionTokens ?? 0, body.min_tokens ?? 0);
  if (body.ignore_eos) desired = maxTokens;
  const target = Math.min(desired, maxTokens);
  let finishReason: string;
  if (body.ignore_eos || desired > maxTokens) finishReason = 'length';
  else finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  return { content: answer.content, contentTokens, toolCalls, target, finishReason };
}

function visibleAt(plan: OutputPlan, generated: number): { chars: number; tools: number } {
  const chars = plan.content === null ? 0 : Math.min(plan.content.length, generated * CHARS_PER_TOKEN);
  let tools = 0;
  while (tools < plan.toolCalls.length && plan.toolCalls[tools].endToken <= generated) tools++;
  return { chars, tools };
}

/** Malformed JSON: cut the text so that it no longer parses. */
function corrupt(text: string): string {
  if (text.length < 2) return '{"';
  return text.slice(0, Math.max(1, Math.floor((text.length * 2) / 3))) + '",,';
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h | 0;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}
