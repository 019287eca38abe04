import { request as httpRequest } from 'node:http';
import { createLlmSimulator, LlmSimulator } from './simulator';

async function post(url: string, body: unknown): Promise<{ status: number; text: string; headers: Headers }> {
  const r = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

/** Raw HTTP exchange that reports how the connection ended (for dropped/reset connections). */
function rawPost(url: string, body: unknown, timeoutMs = 2000): Promise<{ status?: number; body: string; error?: string; timedOut?: boolean }> {
  return new Promise((resolve) => {
    const u = new URL(`${url}/v1/chat/completions`);
    const data = JSON.stringify(body);
    let received = '';
    let status: number | undefined;
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (c) => (received += c));
      res.on('end', () => resolve({ status, body: received }));
      res.on('error', (e) => resolve({ status, body: received, error: e.message }));
      res.on('aborted', () => resolve({ status, body: received, error: 'aborted' }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ status, body: received, timedOut: true });
    });
    req.on('error', (e) => resolve({ status, body: received, error: e.message }));
    req.end(data);
  });
}

const msg = (content: string, user?: string, extra: Record<string, unknown> = {}) => ({
  model: 'sim-model',
  messages: [{ role: 'user', content }],
  ...(user ? { user } : {}),
  ...extra,
});

function parseSse(text: string): unknown[] {
  return text
    .split('\n\n')
    .map((e) => e.trim())
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6))
    .map((d) => (d === '[DONE]' ? '[DONE]' : JSON.parse(d)));
}

describe('llm-simulator over HTTP', () => {
  let sim: LlmSimulator;
  let url: string;
  beforeAll(async () => {
    sim = createLlmSimulator({
      timeScale: 0.001,
      script: {
        rules: [
          { match: { role: 'f429' }, fault: { kind: '429' } },
          { match: { role: 'f500' }, fault: { kind: '500' } },
          { match: { role: 'f503' }, fault: { kind: '503', first: 1 }, respond: { content: 'recovered' } },
          { match: { role: 'hang' }, fault: { kind: 'timeout' } },
          { match: { role: 'drop' }, fault: { kind: 'drop' }, respond: { content: 'x'.repeat(400) } },
          { match: { role: 'reset' }, fault: { kind: 'reset' } },
          { match: { role: 'bad-json' }, fault: { kind: 'malformed' }, respond: { json: { answer: 'fine', n: 1 } } },
          { match: { role: 'json' }, respond: { json: { answer: 'fine', n: 1 } } },
          { match: { role: 'tools' }, respond: { content: 'Running the tests now.', tool_calls: [{ name: 'run_tests', arguments: { path: 'src' } }] } },
          { match: { contains: 'echo (.+)' }, respond: { content: 'you said {{1}}' } },
        ],
        default: { content: 'default' },
      },
    });
    url = (await sim.listen(0)).url;
  });
  afterAll(() => sim.close());

  it('serves /health, /v1/models and Prometheus /metrics with vLLM names', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['sim-model']);
    await post(url, msg('echo hi'));
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const name of ['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:prompt_tokens_total', 'vllm:generation_tokens_total']) {
      expect(text).toMatch(new RegExp(`^${name}\\{model_name="sim-model"\\} \\d+`, 'm'));
    }
    expect(Number(/^vllm:generation_tokens_total\{[^}]*\} (\d+)/m.exec(text)![1])).toBeGreaterThan(0);
    sim.setHealthy(false);
    expect((await fetch(`${url}/health`)).status).toBe(503);
    sim.setHealthy(true);
  });

  it('answers a chat completion from the script, with usage and the service-time header', async () => {
    const r = await post(url, msg('echo hello world'));
    expect(r.status).toBe(200);
    const j = JSON.parse(r.text);
    expect(j.object).toBe('chat.completion');
    expect(j.choices[0].message.content).toBe('you said hello world');
    expect(j.choices[0].finish_reason).toBe('stop');
    expect(j.usage.completion_tokens).toBe(Math.ceil('you said hello world'.length / 4));
    expect(j.usage.prompt_tokens).toBeGreaterThan(0);
    expect(Number(r.headers.get('x-sim-service-ms'))).toBeGreaterThan(0);
  });

  it('returns vLLM error bodies for invalid requests and unknown models', async () => {
    for (const body of [{ model: 'sim-model', messages: [] }, { model: 'sim-model' }, { model: 'sim-model', messages: [{ role: 'wizard', content: 'x' }] }, { ...msg('x'), temperature: -1 }]) {
      const r = await post(url, body);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text)).toEqual({ object: 'error', message: expect.any(String), type: 'BadRequestError', param: null, code: 400 });
    }
    const bad = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    const r = await post(url, { ...msg('x'), model: 'gpt-9' });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toMatchObject({ object: 'error', type: 'NotFoundError', code: 404 });
    const long = await post(url, { ...msg('x'), max_tokens: 200_000 });
    expect(long.status).toBe(400);
    expect(JSON.parse(long.text).message).toMatch(/maximum context length/);
  });

  it('truncates at max_tokens with finish_reason length; honours ignore_eos and min_tokens', async () => {
    const r = JSON.parse((await post(url, { ...msg('echo ' + 'a'.repeat(100)), max_tokens: 5 })).text);
    expect(r.choices[0].finish_reason).toBe('length');
    expect(r.usage.completion_tokens).toBe(5);
    expect(r.choices[0].message.content).toHaveLength(20);
    const e = JSON.parse((await post(url, { ...msg('echo x'), max_tokens: 77, ignore_eos: true })).text);
    expect(e.usage.completion_tokens).toBe(77);
    const m = JSON.parse((await post(url, { ...msg('echo x'), min_tokens: 40 })).text);
    expect(m.usage.completion_tokens).toBe(40);
  });

  it('streams SSE chunks that assemble to the non-streamed message, with usage when asked', async () => {
    const plain = JSON.parse((await post(url, msg('go', 'role:tools'))).text);
    const r = await post(url, { ...msg('go', 'role:tools'), stream: true, stream_options: { include_usage: true } });
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = parseSse(r.text) as Array<Record<string, any>>;
    expect(events[events.length - 1]).toBe('[DONE]');
    let content = '';
    const tools: Array<{ id: string; name: string; arguments: string }> = [];
    let finish: string | null = null;
    let usage: unknown;
    for (const ev of events.slice(0, -1)) {
      if (ev.usage) usage = ev.usage;
      for (const c of ev.choices) {
        if (c.delta.content) content += c.delta.content;
        for (const t of c.delta.tool_calls ?? []) tools[t.index] = { id: t.id, name: t.function.name, arguments: t.function.arguments };
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    expect(content).toBe(plain.choices[0].message.content);
    expect(tools).toEqual(plain.choices[0].message.tool_calls.map((t: any) => ({ id: t.id, name: t.function.name, arguments: t.function.arguments })));
    expect(finish).toBe('tool_calls');
    expect(usage).toEqual(plain.usage);
    const noUsage = parseSse((await post(url, { ...msg('go', 'role:tools'), stream: true })).text);
    expect(noUsage.some((e) => typeof e === 'object' && e !== null && 'usage' in e)).toBe(false);
  });

  it('returns scripted JSON as is for structured_outputs and response_format requests', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    for (const extra of [{ structured_outputs: { json: schema } }, { response_format: { type: 'json_schema', json_schema: { name: 'o', schema } } }]) {
      const j = JSON.parse((await post(url, { ...msg('q', 'role:json'), ...extra })).text);
      expect(JSON.parse(j.choices[0].message.content)).toEqual({ answer: 'fine', n: 1 });
    }
  });

  it('injects every fault kind from the script', async () => {
    const s429 = await post(url, msg('q', 'role:f429'));
    expect(s429.status).toBe(429);
    expect(JSON.parse(s429.text)).toMatchObject({ object: 'error', code: 429, param: null });
    expect((await post(url, msg('q', 'role:f500'))).status).toBe(500);
    const first = await post(url, msg('q', 'role:f503'));
    expect(first.status).toBe(503);
    expect(JSON.parse(first.text)).toMatchObject({ object: 'error', type: 'ServiceUnavailableError', code: 503 });
    expect(JSON.parse((await post(url, msg('q', 'role:f503'))).text).choices[0].message.content).toBe('recovered');

    const hang = await rawPost(url, msg('q', 'role:hang'), 300);
    expect(hang.timedOut).toBe(true);
    expect(hang.status).toBeUndefined();

    const drop = await rawPost(url, msg('q', 'role:drop'));
    expect(drop.status).toBe(200); // headers arrived, then the connection broke mid-body
    expect(drop.error).toBeDefined();
    expect(drop.body.length).toBeGreaterThan(0);
    expect(() => JSON.parse(drop.body)).toThrow();

    const reset = await rawPost(url, msg('q', 'role:reset'));
    expect(reset.status).toBeUndefined();
    expect(reset.error).toBeDefined();

    const schema = { type: 'object' };
    const bad = JSON.parse((await post(url, { ...msg('q', 'role:bad-json'), structured_outputs: { json: schema } })).text);
    expect(() => JSON.parse(bad.choices[0].message.content)).toThrow();

    const f = sim.stats().faults;
    for (const k of ['429', '500', '503', 'timeout', 'drop', 'reset', 'malformed']) expect(f[k]).toBeGreaterThanOrEqual(1);
  });

  it('random faults are deterministic for a seed', async () => {
    const run = async () => {
      const s = createLlmSimulator({ timeScale: 0.0001, seed: 42, faults: { '429': 0.2, '500': 0.1, '503': 0.2 } });
      const u = (await s.listen(0)).url;
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await post(u, msg('q'))).status);
      await s.close();
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThanOrEqual(3);
  });
});

describe('llm-simulator batching timing', () => {
  it('50 concurrent requests: aggregate throughput far above one request, latency grows with the batch', async () => {
    const timeScale = 0.02;
    const sim = createLlmSimulator({ timeScale, script: [{ match: {}, respond: { content: 'ok', completionTokens: 200 } }] });
    const { url } = await sim.listen(0);
    const timed = async (n: number) => {
      const t0 = performance.now();
      const lat = await Promise.all(
        Array.from({ length: n }, async () => {
          const s = performance.now();
          const r = await post(url, msg('hello'));
          expect(r.status).toBe(200);
          return performance.now() - s;
        }),
      );
      const wall = performance.now() - t0;
      lat.sort((x, y) => x - y);
      return { wall, median: lat[Math.floor(n / 2)], tokensPerSec: (n * 200) / (wall / 1000) };
    };
    try {
      const one = await timed(1);
      const ten = await timed(10);
      const fifty = await timed(50);
      // 200 tokens × (25 + 0.9·b) ms × 0.02: ≈ 104 ms (b=1), ≈ 136 ms (b=10), ≈ 280 ms (b=50)
      expect(fifty.tokensPerSec).toBeGreaterThan(one.tokensPerSec * 10);
      expect(ten.median).toBeGreaterThan(one.median);
      expect(fifty.median).toBeGreaterThan(ten.median);
      expect(fifty.median).toBeGreaterThan(one.median * 2);
      expect(sim.stats().engine.peakRunning).toBe(50);
    } finally {
      await sim.close();
    }
  });

  it('requests beyond the max batch wait (num_requests_waiting)', async () => {
    const sim = createLlmSimulator({ timeScale: 0.01, timing: { maxBatch: 4 }, script: [{ match: {}, respond: { content: 'ok', completionTokens: 100 } }] });
    const { url } = await sim.listen(0);
    try {
      const all = Promise.all(Array.from({ length: 10 }, () => post(url, msg('x'))));
      let maxWaiting = 0;
      let maxRunning = 0;
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const t = await (await fetch(`${url}/metrics`)).text();
          maxWaiting = Math.max(maxWaiting, Number(/^vllm:num_requests_waiting\{[^}]*\} (\d+)/m.exec(t)![1]));
          maxRunning = Math.max(maxRunning, Number(/^vllm:num_requests_running\{[^}]*\} (\d+)/m.exec(t)![1]));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await all;
      polling = false;
      await poll;
      expect(maxRunning).toBe(4);
      expect(maxWaiting).toBeGreaterThan(0);
      expect(sim.stats().engine.peakRunning).toBe(4);
      expect(sim.stats().engine.peakWaiting).toBeGreaterThanOrEqual(6);
    } finally {
      await sim.close();
    }
  });
});
