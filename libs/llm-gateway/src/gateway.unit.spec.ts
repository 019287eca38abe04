import { z } from 'zod';
import { gatewayOptionsFromEnv } from './config';
import { LlmReplayDivergenceError, llmErrorFromRecord, LlmOutputInvalidError } from './errors';
import { FairQueue } from './fair-queue';
import { LlmGateway } from './gateway';
import { checkJsonSchema } from './json-schema';
import { hashRequest, InMemoryCallStore } from './recording';
import { validateStructured } from './structured';
import { toolCallsFromContent } from './tool-calls';

describe('FairQueue', () => {
  it('serves keys round robin, FIFO within a key', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 5; i++) q.push('A', `a${i}`);
    q.push('B', 'b1');
    q.push('B', 'b2');
    q.push('C', 'c1');
    const order: string[] = [];
    for (let x = q.take(); x !== undefined; x = q.take()) order.push(x);
    expect(order.slice(0, 6)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(order.slice(6)).toEqual(['a4', 'a5']);
    expect(q.size).toBe(0);
  });

  it('a key arriving late gets a turn within one round, not after the backlog', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 100; i++) q.push('A', `a${i}`);
    q.take();
    q.take();
    for (let i = 1; i <= 3; i++) q.push('B', `b${i}`);
    const next = [q.take(), q.take(), q.take(), q.take(), q.take(), q.take()];
    expect(next.filter((x) => x!.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
  });

  it('take honours a predicate and remove() drops a waiter', () => {
    const q = new FairQueue<{ m: string; id: number }>();
    const a1 = { m: 'x', id: 1 };
    q.push('A', a1);
    q.push('A', { m: 'y', id: 2 });
    q.push('B', { m: 'x', id: 3 });
    expect(q.take((i) => i.m === 'y')!.id).toBe(2);
    expect(q.remove('A', a1)).toBe(true);
    expect(q.remove('A', a1)).toBe(false);
    expect(q.keys()).toEqual(['B']);
    expect(q.take()!.id).toBe(3);
    expect(q.take()).toBeUndefined();
  });
});

describe('tool calls from content (Llama 3.1 style)', () => {
  const tools = new Set(['run_tests', 'write_file']);
  it('parses {"name", "parameters"}, python_tag, code fences and ";"-separated calls', () => {
    expect(toolCallsFromContent('{"name": "run_tests", "parameters": {"path": "src"}}', tools)).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'run_tests', arguments: '{"path":"src"}' },
    ]);
    expect(toolCallsFromContent('<|python_tag|>{"name": "run_tests", "arguments": {}}', tools)![0].name).toBe('run_tests');
    expect(toolCallsFromContent('```json\n{"name": "write_file", "parameters": {"p": 1}}\n```', tools)![0].name).toBe('write_file');
    const two = toolCallsFromContent('{"name": "run_tests", "parameters": {}}; {"name": "write_file", "parameters": {"a": 2}}', tools)!;
    expect(two.map((t) => t.name)).toEqual(['run_tests', 'write_file']);
    expect(two[0].id).not.toBe(two[1].id);
    expect(toolCallsFromContent('[{"type":"function","function":{"name":"run_tests","arguments":"{\\"x\\":1}"}}]', tools)![0].arguments).toBe('{"x":1}');
  });
  it('ignores prose, unknown tools and other JSON', () => {
    expect(toolCallsFromContent('I will run the tests.', tools)).toBeUndefined();
    expect(toolCallsFromContent('{"name": "rm_rf", "parameters": {}}', tools)).toBeUndefined();
    expect(toolCallsFromContent('{"answer": 42}', tools)).toBeUndefined();
    expect(toolCallsFromContent(null, tools)).toBeUndefined();
  });
});

describe('structured output validation', () => {
  const jsonSchema = { type: 'object', properties: { points: { type: 'integer', minimum: 0 }, why: { type: 'string' } }, required: ['points'], additionalProperties: false };
  it('validates with zod when given', () => {
    const spec = { jsonSchema, zod: z.object({ points: z.number().int(), why: z.string().optional() }) };
    expect(validateStructured('{"points": 3}', spec)).toEqual({ ok: true, value: { points: 3 } });
    expect(validateStructured('```json\n{"points": 3}\n```', spec).ok).toBe(true);
    const bad = validateStructured('{"points": "three"}', spec);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/points/);
    expect(validateStructured('{"points": 3', spec).ok).toBe(false);
    expect(validateStructured(null, spec).ok).toBe(false);
  });
  it('validates with a custom function', () => {
    const spec = { jsonSchema, validate: (v: unknown) => ((v as { points: number }).points > 10 ? 'too many points' : null) };
    expect(validateStructured('{"points": 3}', spec).ok).toBe(true);
    const r = validateStructured('{"points": 13}', spec);
    expect(!r.ok && r.error).toMatch(/too many points/);
  });
  it('falls back to the small JSON-schema checker', () => {
    expect(checkJsonSchema({ points: 1 }, jsonSchema)).toBeNull();
    expect(checkJsonSchema({}, jsonSchema)).toMatch(/missing required property "points"/);
    expect(checkJsonSchema({ points: -1 }, jsonSchema)).toMatch(/less than 0/);
    expect(checkJsonSchema({ points: 1, extra: true }, jsonSchema)).toMatch(/unexpected property/);
    expect(checkJsonSchema({ points: 1.5 }, jsonSchema)).toMatch(/expected integer/);
    expect(checkJsonSchema([1, 'a'], { type: 'array', items: { type: 'number' } })).toMatch(/\$\[1\]/);
    expect(checkJsonSchema('b', { enum: ['a'] })).toMatch(/one of/);
    expect(checkJsonSchema({ a: { v: 1 } }, { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'object', required: ['w'] } } })).toMatch(/"w"/);
    expect(checkJsonSchema(3, { anyOf: [{ type: 'string' }, { type: 'number' }] })).toBeNull();
    expect(validateStructured('{"points": "x"}', { jsonSchema }).ok).toBe(false);
  });
});

describe('recording helpers', () => {
  it('hashes requests independently of key order', () => {
    const a = { model: 'm', messages: [{ role: 'user', content: 'x' }], sampling: { temperature: 1, top_p: 1 } } as never;
    const b = { sampling: { top_p: 1, temperature: 1 }, messages: [{ content: 'x', role: 'user' }], model: 'm' } as never;
    expect(hashRequest(a)).toBe(hashRequest(b));
  });
  it('typed errors survive recording', () => {
    const e = new LlmOutputInvalidError('bad', '{"x"', 'not JSON', { attempts: 2 });
    const back = llmErrorFromRecord(JSON.parse(JSON.stringify(e.toRecord())));
    expect(back).toBeInstanceOf(LlmOutputInvalidError);
    expect(back.code).toBe('LLM_OUTPUT_INVALID');
    expect((back as LlmOutputInvalidError).rawContent).toBe('{"x"');
    expect(back.attempts).toBe(2);
  });
});

describe('gatewayOptionsFromEnv', () => {
  it('reads one backend from LLM_BASE_URL / LLM_MODEL / LLM_API_KEY', () => {
    const o = gatewayOptionsFromEnv({ LLM_BASE_URL: 'http://vllm:8000/v1', LLM_MODEL: 'llama-70b, llama-8b', LLM_API_KEY: 'k', LLM_MAX_IN_FLIGHT: '64', LLM_MAX_ATTEMPTS: '2' });
    expect(o.backends).toEqual([{ name: 'default', baseUrl: 'http://vllm:8000/v1', apiKey: 'k', models: ['llama-70b', 'llama-8b'], maxInFlight: 64 }]);
    expect(o.retry).toEqual({ maxAttempts: 2 });
  });
  it('reads several backends from LLM_BACKENDS', () => {
    const backends = [
      { name: 'a', baseUrl: 'http://a:8000/v1', models: ['m'] },
      { name: 'b', baseUrl: 'http://b:8000/v1', models: ['m'], maxInFlight: 10, structuredOutputField: 'both' },
    ];
    expect(gatewayOptionsFromEnv({ LLM_BACKENDS: JSON.stringify(backends) }).backends).toEqual(backends);
  });
  it('rejects bad configuration with a clear message', () => {
    expect(() => gatewayOptionsFromEnv({})).toThrow(/LLM_BASE_URL/);
    expect(() => gatewayOptionsFromEnv({ LLM_BASE_URL: 'http://x' })).toThrow(/LLM_MODEL/);
    expect(() => gatewayOptionsFromEnv({ LLM_BACKENDS: '[{"name":"a"}]' })).toThrow(/LLM_BACKENDS is invalid/);
    expect(() => gatewayOptionsFromEnv({ LLM_BACKENDS: '{' })).toThrow(/not valid JSON/);
  });
});

describe('LlmGateway request building', () => {
  const gw = new LlmGateway({ backends: [{ name: 'b', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'] }], defaults: { temperature: 0.2 } });
  afterAll(() => gw.close());
  const key = { simulationId: 's', agentId: 'a', seq: 1 };

  it('sends every sampling parameter explicitly, with defaults and a seed derived from the call key', () => {
    const n = gw.normalize({ model: 'm', messages: [{ role: 'user', content: 'x' }], sampling: { top_k: 20 } }, key, { role: 'dev' });
    const body = gw.wireBody(n, { name: 'b', baseUrl: 'http://x', models: ['m'] }, false);
    for (const k of ['temperature', 'top_p', 'top_k', 'min_p', 'repetition_penalty', 'presence_penalty', 'frequency_penalty', 'seed', 'max_tokens', 'stop']) {
      expect(body).toHaveProperty(k);
    }
    expect(body.temperature).toBe(0.2);
    expect(body.top_k).toBe(20);
    expect(body.user).toBe('sim:s agent:a role:dev');
    const again = gw.normalize({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, key);
    const other = gw.normalize({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { ...key, seq: 2 });
    expect(again.sampling.seed).toBe(n.sampling.seed);
    expect(other.sampling.seed).not.toBe(n.sampling.seed);
  });

  it('puts the JSON schema where the backend wants it, tools and max_completion_tokens', () => {
    const schema = { type: 'object' };
    const n = gw.normalize(
      { model: 'm', messages: [{ role: 'user', content: 'x' }], structured: { jsonSchema: schema }, tools: [{ name: 't', parameters: { type: 'object' } }], toolChoice: { name: 't' } },
      key,
    );
    const base = { name: 'b', baseUrl: 'http://x', models: ['m'] };
    expect(gw.wireBody(n, base, false)).toMatchObject({ structured_outputs: { json: schema } });
    expect(gw.wireBody(n, base, false)).not.toHaveProperty('response_format');
    expect(gw.wireBody(n, { ...base, structuredOutputField: 'response_format' }, false)).toMatchObject({ response_format: { type: 'json_schema', json_schema: { schema } } });
    const both = gw.wireBody(n, { ...base, structuredOutputField: 'both', maxTokensField: 'max_completion_tokens' }, true);
    expect(both).toHaveProperty('structured_outputs');
    expect(both).toHaveProperty('response_format');
    expect(both).toHaveProperty('max_completion_tokens');
    expect(both).not.toHaveProperty('max_tokens');
    expect(both).toMatchObject({ stream: true, stream_options: { include_usage: true }, tool_choice: { type: 'function', function: { name: 't' } } });
  });

  it('replay without a recording throws a divergence naming the call', async () => {
    const store = new InMemoryCallStore();
    const replay = new LlmGateway({ backends: [{ name: 'b', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'] }], replay: store });
    try {
      await expect(replay.complete({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { simulationId: 'S', agentId: 'A', seq: 7 })).rejects.toThrow(
        LlmReplayDivergenceError,
      );
      await expect(replay.complete({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { simulationId: 'S', agentId: 'A', seq: 7 })).rejects.toThrow(
        /simulation=S agent=A seq=7: no recorded call/,
      );
    } finally {
      await replay.close();
    }
  });

  it('replayRecorded answers a call from an origin recording alone and records it here as replayed; none without one', async () => {
    const origin = new InMemoryCallStore();
    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], sampling: {}, tools: null, tool_choice: null, json_schema: null, user: 'u', extra: null } as never;
    const response = { message: { content: 'hi', tool_calls: [] }, finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 1 }, timings: { queueMs: 0, latencyMs: 1 }, backend: 'b', model: 'm', attempts: 1, repaired: false, toolCallsFromContent: false, callKey: { simulationId: 'O', agentId: 'A', seq: 0 }, requestHash: 'h' };
    origin.put({ key: { simulationId: 'O', agentId: 'A', seq: 0 }, requestHash: 'h', request: body, outcome: { status: 'completed', response } });
    const here = new InMemoryCallStore();
    const source = { lookup: (k: { simulationId: string; agentId: string; seq: number }) => {
      const rec = origin.lookup({ ...k, simulationId: 'O' });
      return rec && { ...rec, origin: { simulationId: 'O', compare: 'request' as const, onMismatch: 'throw' as const } };
    } };
    const replay = new LlmGateway({ backends: [{ name: 'b', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'] }], replay: source, recorder: here });
    try {
      const r = await replay.replayRecorded({ simulationId: 'R', agentId: 'A', seq: 0 });
      expect(r).toMatchObject({ ok: true, response: { message: { content: 'hi' }, usage: { promptTokens: 3 }, replayedFrom: 'O', callKey: { simulationId: 'R' } } });
      expect(here.lookup({ simulationId: 'R', agentId: 'A', seq: 0 })).toMatchObject({ requestHash: 'h', outcome: { status: 'completed', response: { replayedFrom: 'O' } } });
      expect(await replay.replayRecorded({ simulationId: 'R', agentId: 'A', seq: 1 })).toBeNull();
    } finally {
      await replay.close();
    }
  });

  it('an unknown model fails with LLM_NO_BACKEND_FOR_MODEL', async () => {
    await expect(gw.complete({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }, { simulationId: 's', agentId: 'a' })).rejects.toMatchObject({
      code: 'LLM_NO_BACKEND_FOR_MODEL',
    });
  });
});
