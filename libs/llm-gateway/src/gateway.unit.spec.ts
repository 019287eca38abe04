import { LlmReplayDivergenceError } from './errors';
import { LlmGateway } from './gateway';
import { InMemoryCallStore } from './recording';

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
