import { z } from 'zod';
import {
  InMemoryCallStore,
  LlmError,
  LlmGateway,
  LlmOutputInvalidError,
  LlmReplayDivergenceError,
  type ChatMessage,
  type LlmGatewayOptions,
  type LlmRequest,
  type LlmResponse,
  type RecordedCall,
  type ReplaySource,
} from '@swe-sim/llm-gateway';
import { createLlmSimulator, LlmSimulator, ScriptSpec } from '../../apps/llm-simulator/src';

const MODEL = 'sim-model';
const ask = (content: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({ model: MODEL, messages: [{ role: 'user', content }], ...extra });
const fast = { baseDelayMs: 2, maxDelayMs: 20 };

const SCRIPT: ScriptSpec = {
  rules: [
    { match: { role: 'r429' }, fault: { kind: '429', first: 2 }, respond: { content: 'after 429' } },
    { match: { role: 'r503' }, fault: { kind: '503', first: 2 }, respond: { content: 'after 503' } },
    { match: { role: 'always429' }, fault: { kind: '429' } },
    { match: { role: 'always503' }, fault: { kind: '503' } },
    { match: { role: 'r500' }, fault: { kind: '500' } },
    { match: { role: 'hang' }, fault: { kind: 'timeout' } },
    { match: { role: 'drop' }, fault: { kind: 'drop' }, respond: { content: 'y'.repeat(200) } },
    { match: { role: 'reset' }, fault: { kind: 'reset', first: 1 }, respond: { content: 'after reset' } },
    { match: { role: 'malformed' }, fault: { kind: 'malformed' }, respond: { json: { points: 3 } } },
    { match: { role: 'slow' }, respond: { content: 'slow answer', completionTokens: 3000 } },
    { match: { role: 'fixable', contains: 'rejected: (.*)' }, respond: { json: { points: 5 } } },
    { match: { role: 'fixable' }, respond: { content: 'Sure! The estimate is five points.' } },
    { match: { role: 'wrong' }, respond: { json: { points: 'many' } } },
    { match: { role: 'estimator' }, respond: { json: { points: 8 } } },
    { match: { role: 'llama' }, respond: { content: '<|python_tag|>{"name": "run_tests", "parameters": {"path": "src"}}' } },
    { match: { role: 'coder', tool: 'run_tests' }, respond: { content: 'Tests ran; all green.' } },
    { match: { role: 'coder', turn: 1 }, respond: { content: 'Let me run the tests.', tool_calls: [{ name: 'run_tests', arguments: { path: 'src' } }] } },
    { match: { contains: 'echo (.+)' }, respond: { content: 'echo: {{1}}' } },
  ],
  default: { content: 'default answer' },
};

const TOOLS = [{ name: 'run_tests', description: 'Run the test suite', parameters: { type: 'object', properties: { path: { type: 'string' } } } }];
const ESTIMATE = { jsonSchema: { type: 'object', properties: { points: { type: 'integer' } }, required: ['points'] }, zod: z.object({ points: z.number().int() }) };

describe('LlmGateway against the simulator', () => {
  let sim: LlmSimulator;
  let baseUrl: string;
  const gateways: LlmGateway[] = [];
  const gateway = (o: Partial<LlmGatewayOptions> = {}, backend: Record<string, unknown> = {}) => {
    const g = new LlmGateway({ backends: [{ name: 'sim', baseUrl, models: [MODEL], ...backend }], retry: fast, ...o });
    gateways.push(g);
    return g;
  };
  const requests = () => sim.stats().requests;

  beforeAll(async () => {
    sim = createLlmSimulator({ timeScale: 0.001, script: SCRIPT });
    baseUrl = (await sim.listen(0)).baseUrl;
  });
  beforeEach(() => sim.script.reset());
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await sim.close();
  });

  it('completes a call with usage, timings, backend and attempts', async () => {
    const r = await gateway().complete(ask('echo hello'), { simulationId: 's1', agentId: 'a1' });
    expect(r.message).toEqual({ content: 'echo: hello', tool_calls: [] });
    expect(r.finishReason).toBe('stop');
    expect(r.usage.completionTokens).toBe(3);
    expect(r.usage.promptTokens).toBeGreaterThan(0);
    expect(r.backend).toBe('sim');
    expect(r.attempts).toBe(1);
    expect(r.callKey).toEqual({ simulationId: 's1', agentId: 'a1', seq: 1 });
    expect(r.timings.latencyMs).toBeGreaterThan(0);
    expect(r.timings.serverMs).toBeGreaterThan(0);
  });

  describe('retries', () => {
    it.each([
      ['r429', 'after 429'],
      ['r503', 'after 503'],
      ['reset', 'after reset'],
    ])('retries %s and succeeds', async (role, content) => {
      const before = requests();
      const expected = role === 'reset' ? 2 : 3;
      const r = await gateway().complete(ask('q'), { simulationId: 's', agentId: 'a', role });
      expect(r.message.content).toBe(content);
      expect(r.attempts).toBe(expected);
      expect(requests() - before).toBe(expected);
    });

    it.each([
      ['always429', 'LLM_RATE_LIMITED'],
      ['always503', 'LLM_BACKEND_UNAVAILABLE'],
    ])('gives up on %s after maxAttempts', async (role, code) => {
      const before = requests();
      const err = (await gateway({ retry: { ...fast, maxAttempts: 3 } })
        .complete(ask('q'), { simulationId: 's', agentId: 'a', role })
        .catch((e) => e)) as LlmError;
      expect(err).toBeInstanceOf(LlmError);
      expect(err.code).toBe(code);
      expect(err.attempts).toBe(3);
      expect(requests() - before).toBe(3);
    });

    it('retries a 500 like a 503 (the server broke, not the request), up to maxAttempts', async () => {
      const before = requests();
      const err = (await gateway().complete(ask('q'), { simulationId: 's', agentId: 'a', role: 'r500' }).catch((e) => e)) as LlmError;
      expect(err.code).toBe('LLM_BACKEND_ERROR');
      expect(err.status).toBe(500);
      expect(err.attempts).toBe(4);
      expect(requests() - before).toBe(4);
    });

    it('never retries a time-out (the generation may still run)', async () => {
      const before = requests();
      const t0 = Date.now();
      const err = (await gateway({ timeoutMs: 150 }).complete(ask('q'), { simulationId: 's', agentId: 'a', role: 'hang' }).catch((e) => e)) as LlmError;
      expect(err.code).toBe('LLM_TIMEOUT');
      expect(err.attempts).toBe(1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      await new Promise((r) => setTimeout(r, 50));
      expect(requests() - before).toBe(1);
    });

    it('does not resend when the connection drops mid-response', async () => {
      const before = requests();
      const err = (await gateway().complete(ask('q'), { simulationId: 's', agentId: 'a', role: 'drop' }).catch((e) => e)) as LlmError;
      expect(err.code).toBe('LLM_BACKEND_UNAVAILABLE');
      expect(err.details?.phase).toBe('response');
      expect(err.attempts).toBe(1);
      expect(requests() - before).toBe(1);
    });

    it('does not resend when a stream breaks before [DONE]', async () => {
      const before = requests();
      const err = (await gateway().complete(ask('q', { stream: true }), { simulationId: 's', agentId: 'a', role: 'drop' }).catch((e) => e)) as LlmError;
      expect(err.code).toBe('LLM_BACKEND_UNAVAILABLE');
      expect(err.details?.phase).toBe('response');
      expect(err.attempts).toBe(1);
      expect(requests() - before).toBe(1);
    });

    it('retries connection refused, then fails with LLM_BACKEND_UNAVAILABLE', async () => {
      const dead = createLlmSimulator();
      const { port } = await dead.listen(0);
      await dead.close();
      const g = new LlmGateway({ backends: [{ name: 'dead', baseUrl: `http://127.0.0.1:${port}/v1`, models: [MODEL] }], retry: { ...fast, maxAttempts: 3 } });
      gateways.push(g);
      const err = (await g.complete(ask('q'), { simulationId: 's', agentId: 'a' }).catch((e) => e)) as LlmError;
      expect(err.code).toBe('LLM_BACKEND_UNAVAILABLE');
      expect(err.details?.phase).toBe('connect');
      expect(err.attempts).toBe(3);
    });
  });

  describe('cancellation', () => {
    it('cancels a request in flight (the server sees the client leave)', async () => {
      const g = gateway();
      const ac = new AbortController();
      const abortedBefore = sim.stats().aborted;
      const p = g.complete(ask('q'), { simulationId: 's', agentId: 'a', role: 'slow', signal: ac.signal });
      await new Promise((r) => setTimeout(r, 20));
      ac.abort();
      await expect(p).rejects.toMatchObject({ code: 'LLM_CANCELLED' });
      await new Promise((r) => setTimeout(r, 30));
      expect(sim.stats().aborted).toBe(abortedBefore + 1);
      expect(g.stats().backends[0].inFlight).toBe(0);
    });

    it('cancels a queued request without sending it', async () => {
      const g = gateway({}, { maxInFlight: 1 });
      const before = requests();
      const first = g.complete(ask('q'), { simulationId: 's', agentId: 'a', role: 'slow' });
      const ac = new AbortController();
      const second = g.complete(ask('q2'), { simulationId: 's', agentId: 'b', signal: ac.signal });
      await new Promise((r) => setTimeout(r, 10));
      expect(g.stats().queued).toBe(1);
      ac.abort();
      await expect(second).rejects.toMatchObject({ code: 'LLM_CANCELLED', message: expect.stringMatching(/queued/) });
      expect(g.stats().queued).toBe(0);
      await first;
      expect(requests() - before).toBe(1);
    });

    it('an already aborted signal fails fast', async () => {
      const ac = new AbortController();
      ac.abort();
      const before = requests();
      await expect(gateway().complete(ask('q'), { simulationId: 's', agentId: 'a', signal: ac.signal })).rejects.toMatchObject({ code: 'LLM_CANCELLED' });
      expect(requests()).toBe(before);
    });
  });

  describe('structured output', () => {
    it('parses and validates JSON sent through structured_outputs', async () => {
      const r = await gateway().complete(ask('estimate'), { simulationId: 's', agentId: 'a', role: 'estimator' });
      expect(r.parsed).toBeUndefined(); // not requested
      const s = await gateway().complete(ask('estimate', { structured: ESTIMATE }), { simulationId: 's', agentId: 'a', role: 'estimator' });
      expect(s.parsed).toEqual({ points: 8 });
      expect(s.repaired).toBe(false);
      const rf = await gateway({}, { structuredOutputField: 'response_format' }).complete(ask('estimate', { structured: ESTIMATE }), {
        simulationId: 's',
        agentId: 'a',
        role: 'estimator',
      });
      expect(rf.parsed).toEqual({ points: 8 });
    });

    it('repairs invalid output once, appending the error', async () => {
      const before = requests();
      const r = await gateway().complete(ask('estimate', { structured: ESTIMATE }), { simulationId: 's', agentId: 'a', role: 'fixable' });
      expect(r.parsed).toEqual({ points: 5 });
      expect(r.repaired).toBe(true);
      expect(r.attempts).toBe(2);
      expect(requests() - before).toBe(2);
    });

    it.each(['wrong', 'malformed'])('fails with a typed LLM_OUTPUT_INVALID after one repair (%s)', async (role) => {
      const before = requests();
      const result = await gateway().tryComplete(ask('estimate', { structured: ESTIMATE }), { simulationId: 's', agentId: 'a', role });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toBeInstanceOf(LlmOutputInvalidError);
      expect(result.error.code).toBe('LLM_OUTPUT_INVALID');
      expect((result.error as LlmOutputInvalidError).validationError).toMatch(role === 'wrong' ? /points/ : /not valid JSON/);
      expect(requests() - before).toBe(2);
    });
  });

  describe('tool calls', () => {
    it('reads tool_calls, then continues the conversation after the tool result', async () => {
      const g = gateway();
      const ctx = { simulationId: 's', agentId: 'coder', role: 'coder' };
      const first = await g.complete(ask('fix the bug', { tools: TOOLS }), ctx);
      expect(first.finishReason).toBe('tool_calls');
      expect(first.message.tool_calls).toEqual([{ id: expect.any(String), name: 'run_tests', arguments: '{"path":"src"}' }]);
      const messages: ChatMessage[] = [
        { role: 'user', content: 'fix the bug' },
        { role: 'assistant', content: first.message.content, tool_calls: first.message.tool_calls },
        { role: 'tool', tool_call_id: first.message.tool_calls[0].id, content: '12 passed' },
      ];
      const second = await g.complete({ model: MODEL, messages, tools: TOOLS }, ctx);
      expect(second.message.content).toBe('Tests ran; all green.');
    });

    it('parses Llama 3.1 tool calls from the content', async () => {
      const r = await gateway().complete(ask('go', { tools: TOOLS }), { simulationId: 's', agentId: 'a', role: 'llama' });
      expect(r.toolCallsFromContent).toBe(true);
      expect(r.message.content).toBeNull();
      expect(r.message.tool_calls).toEqual([{ id: expect.any(String), name: 'run_tests', arguments: '{"path":"src"}' }]);
      expect(r.finishReason).toBe('tool_calls');
    });
  });

  it('streaming assembles the same message as non-streaming', async () => {
    const ctx = { simulationId: 's', agentId: 'a', role: 'coder', seq: 1 };
    const plain = await gateway().complete(ask('go', { tools: TOOLS }), ctx);
    const streamed = await gateway().complete(ask('go', { tools: TOOLS, stream: true }), ctx);
    const viaBackend = await gateway({}, { stream: true }).complete(ask('go', { tools: TOOLS }), ctx);
    for (const s of [streamed, viaBackend]) {
      expect(s.message).toEqual(plain.message);
      expect(s.finishReason).toBe(plain.finishReason);
      expect(s.usage).toEqual(plain.usage);
      expect(s.requestHash).toBe(plain.requestHash);
    }
    const json = await gateway().complete(ask('estimate', { structured: ESTIMATE, stream: true }), { simulationId: 's', agentId: 'a', role: 'estimator' });
    expect(json.parsed).toEqual({ points: 8 });
  });

  describe('record and replay', () => {
    const run = async (g: LlmGateway, tweak = false): Promise<LlmResponse[]> => {
      const out: LlmResponse[] = [];
      for (const agent of ['alice', 'bob']) {
        const ctx = { simulationId: 'sim-rec', agentId: agent, role: 'coder' };
        const first = await g.complete(ask('fix the bug', { tools: TOOLS }), ctx);
        out.push(first);
        const messages: ChatMessage[] = [
          { role: 'user', content: 'fix the bug' },
          { role: 'assistant', content: first.message.content, tool_calls: first.message.tool_calls },
          { role: 'tool', tool_call_id: first.message.tool_calls[0].id, content: tweak && agent === 'bob' ? '11 passed' : '12 passed' },
        ];
        out.push(await g.complete({ model: MODEL, messages, tools: TOOLS }, ctx));
        out.push(await g.complete(ask('estimate', { structured: ESTIMATE }), { ...ctx, role: 'estimator' }));
      }
      return out;
    };

    it('replays identical responses with zero network calls', async () => {
      const store = new InMemoryCallStore();
      const recorded = await run(gateway({ recorder: store }));
      expect(store.size).toBe(6);
      expect(store.all().every((c) => c.outcome?.status === 'completed')).toBe(true);
      const before = requests();
      const replay = gateway({ replay: store });
      const replayed = await run(replay);
      expect(requests()).toBe(before);
      expect(replayed).toEqual(recorded);
      expect(replay.stats().replayed).toBe(6);
      expect(replay.stats().requests).toBe(0);
    });

    it('replays recorded failures as the same typed error', async () => {
      const store = new InMemoryCallStore();
      const ctx = { simulationId: 'sim-f', agentId: 'a', role: 'r500' };
      const live = (await gateway({ recorder: store }).complete(ask('q'), ctx).catch((e) => e)) as LlmError;
      const before = requests();
      const replayed = (await gateway({ replay: store }).complete(ask('q'), ctx).catch((e) => e)) as LlmError;
      expect(replayed.code).toBe(live.code);
      expect(replayed.message).toBe(live.message);
      expect(requests()).toBe(before);
    });

    it('a changed request throws LLM_REPLAY_DIVERGENCE naming the call and the difference', async () => {
      const store = new InMemoryCallStore();
      await run(gateway({ recorder: store }));
      const err = (await run(gateway({ replay: store }), true).catch((e) => e)) as LlmReplayDivergenceError;
      expect(err).toBeInstanceOf(LlmReplayDivergenceError);
      expect(err.code).toBe('LLM_REPLAY_DIVERGENCE');
      expect(err.callKey).toEqual({ simulationId: 'sim-rec', agentId: 'bob', seq: 2 });
      expect(err.message).toContain('simulation=sim-rec agent=bob seq=2');
      expect(err.differences.join('\n')).toContain('messages[2].content: recorded "12 passed" vs now "11 passed"');
    });

    it('onReplayMissing: live continues a fork past the recording', async () => {
      const store = new InMemoryCallStore();
      const ctx = { simulationId: 'fork', agentId: 'a' };
      await gateway({ recorder: store }).complete(ask('echo one'), { ...ctx, seq: 1 });
      const before = requests();
      const g = gateway({ replay: store, onReplayMissing: 'live' });
      expect((await g.complete(ask('echo one'), { ...ctx, seq: 1 })).message.content).toBe('echo: one');
      expect(requests()).toBe(before);
      expect((await g.complete(ask('echo two'), { ...ctx, seq: 2 })).message.content).toBe('echo: two');
      expect(requests()).toBe(before + 1);
    });
  });

  describe('answers from another simulation\'s recording (replay, fork)', () => {
    /** A source that answers simulation `copy` from the calls recorded for simulation `orig`. */
    const originSource = (store: InMemoryCallStore, origin: Omit<NonNullable<RecordedCall['origin']>, 'simulationId'>): ReplaySource => ({
      lookup: (key) => {
        const rec = store.lookup({ ...key, simulationId: 'orig' });
        return rec && key.simulationId === 'copy' ? { ...rec, origin: { simulationId: 'orig', ...origin } } : store.lookup(key);
      },
    });

    it('a fork takes the recorded answer to the same prompt under other sampling, records it as replayed, and asks the LLM once the prompt differs', async () => {
      const store = new InMemoryCallStore();
      const recorded = await gateway({ recorder: store }).complete(ask('echo alpha'), { simulationId: 'orig', agentId: 'a', seq: 0 });
      const before = requests();
      const g = gateway({ recorder: store, replay: originSource(store, { compare: 'prompt', onMismatch: 'live' }), onReplayMissing: 'live' });
      const same = await g.complete(ask('echo alpha', { sampling: { temperature: 1.3 } }), { simulationId: 'copy', agentId: 'a', seq: 0 });
      expect(requests()).toBe(before);
      expect(same.message).toEqual(recorded.message);
      expect(same.replayedFrom).toBe('orig');
      const copy = store.lookup({ simulationId: 'copy', agentId: 'a', seq: 0 })!;
      expect(copy.outcome).toMatchObject({ status: 'completed', response: { replayedFrom: 'orig', message: recorded.message } });
      expect(copy.request?.sampling).toMatchObject({ temperature: 1.3 });

      await gateway({ recorder: store }).complete(ask('echo beta'), { simulationId: 'orig', agentId: 'a', seq: 1 });
      const live = await g.complete(ask('echo gamma'), { simulationId: 'copy', agentId: 'a', seq: 1 });
      expect(live.message.content).toBe('echo: gamma');
      expect(live.replayedFrom).toBeUndefined();
      expect(requests()).toBe(before + 2);
    });

    it('a replay refuses a different prompt, and a call the original never made, without asking the LLM', async () => {
      const store = new InMemoryCallStore();
      await gateway({ recorder: store }).complete(ask('echo alpha'), { simulationId: 'orig', agentId: 'a', seq: 0 });
      const before = requests();
      const g = gateway({ recorder: store, replay: originSource(store, { compare: 'request', onMismatch: 'throw' }), onReplayMissing: (k) => (k.simulationId === 'copy' ? 'throw' : 'live') });
      const changed = (await g.complete(ask('echo omega'), { simulationId: 'copy', agentId: 'a', seq: 0 }).catch((e) => e)) as LlmReplayDivergenceError;
      expect(changed).toBeInstanceOf(LlmReplayDivergenceError);
      expect(changed.differences.join('\n')).toContain('messages[0].content: recorded "echo alpha" vs now "echo omega"');
      const missing = (await g.complete(ask('echo alpha'), { simulationId: 'copy', agentId: 'a', seq: 5 }).catch((e) => e)) as LlmReplayDivergenceError;
      expect(missing.differences).toEqual(['no recorded call with this key']);
      expect(requests()).toBe(before);
      expect(store.lookup({ simulationId: 'copy', agentId: 'a', seq: 0 })).toBeUndefined();
      // Another simulation is not replaying: it goes live.
      expect((await g.complete(ask('echo live'), { simulationId: 'other', agentId: 'a', seq: 0 })).message.content).toBe('echo: live');
    });
  });

  it('exposes Prometheus metrics and per-call accounting', async () => {
    const calls: unknown[] = [];
    // One attempt: the counts below are of one failed HTTP request.
    const g = gateway({ onCall: (a) => calls.push(a), retry: { maxAttempts: 1 } });
    await g.complete(ask('echo m'), { simulationId: 's', agentId: 'a' });
    await g.complete(ask('q'), { simulationId: 's', agentId: 'a', role: 'r500' }).catch(() => undefined);
    const text = g.metricsText();
    expect(text).toMatch(/^llm_gateway_in_flight\{backend="sim"\} 0$/m);
    expect(text).toMatch(/^llm_gateway_queued 0$/m);
    expect(text).toMatch(/^llm_gateway_completion_tokens_total\{backend="sim"\} \d+$/m);
    expect(text).toMatch(/^llm_gateway_prompt_tokens_total\{backend="sim"\} \d+$/m);
    expect(text).toMatch(/^llm_gateway_errors_total\{backend="sim",code="LLM_BACKEND_ERROR"\} 1$/m);
    expect(text).toMatch(/^llm_gateway_request_latency_seconds_count\{backend="sim"\} 2$/m);
    expect(text).toMatch(/^llm_gateway_queue_wait_seconds_bucket\{backend="sim",le="\+Inf"\} 2$/m);
    expect(calls).toEqual([
      expect.objectContaining({ outcome: 'ok', backend: 'sim', attempts: 1 }),
      expect.objectContaining({ outcome: 'LLM_BACKEND_ERROR', attempts: 1 }),
    ]);
  });
});
