import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmError, LlmRequest, LlmResult } from '@swe-sim/llm-gateway';
import { ENDPOINT_LIMITS, ProgramEndpoint } from './program-endpoint';

/** One HTTP call over the Unix socket, as the forwarder makes it. */
function call(socketPath: string, body: unknown, method = 'POST', path = '/v1/chat/completions'): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? JSON.stringify(body) : undefined);
  });
}

const answer = (tokens: number): LlmResult => ({
  ok: true,
  response: {
    message: { content: 'hi', tool_calls: [{ id: 'c1', name: 'write_file', arguments: '{}' }] },
    finishReason: 'tool_calls',
    usage: { promptTokens: tokens, completionTokens: 0 },
    timings: { queueMs: 0, latencyMs: 1 },
    backend: 'b',
    model: 'sim-model',
    attempts: 1,
    repaired: false,
    toolCallsFromContent: false,
    callKey: { simulationId: 's', agentId: 'a', seq: 0 },
    requestHash: 'h',
  },
});

const chat = { model: 'gpt-whatever', temperature: 1.5, messages: [{ role: 'user', content: 'hello' }] };

describe('the program endpoint (Unix socket, OpenAI wire)', () => {
  let dir: string;
  let endpoint: ProgramEndpoint | undefined;
  const asked: Array<{ request: LlmRequest; seq: number }> = [];
  let gate: Promise<void> = Promise.resolve();

  const open = async (budget = { turns: 10, tokens: 1_000 }, result: () => LlmResult = () => answer(10)) => {
    endpoint = new ProgramEndpoint({
      socketPath: join(dir, 'llm.sock'),
      settings: { model: 'sim-model', sampling: { temperature: 0.2 } },
      budget,
      complete: async (request, seq) => {
        asked.push({ request, seq });
        await gate;
        return result();
      },
      callId: (seq) => `call-${seq}`,
    });
    await endpoint.open();
    return join(dir, 'llm.sock');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'endpoint-'));
    asked.length = 0;
    gate = Promise.resolve();
  });
  afterEach(async () => {
    await endpoint?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers in OpenAI's shape with the simulation's model and sampling, numbering the calls; the socket is open to the sandbox user", async () => {
    const socket = await open();
    expect(statSync(socket).mode & 0o777).toBe(0o666);
    const first = await call(socket, chat);
    const second = await call(socket, chat);
    expect(first).toMatchObject({
      status: 200,
      body: { id: 'call-0', object: 'chat.completion', model: 'sim-model', choices: [{ message: { role: 'assistant', content: 'hi', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'write_file', arguments: '{}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 10, total_tokens: 10 } },
    });
    expect(second.body.id).toBe('call-1');
    expect(asked.map((a) => a.seq)).toEqual([0, 1]);
    expect(asked[0].request).toMatchObject({ model: 'sim-model', sampling: { temperature: 0.2 }, messages: [{ role: 'user', content: 'hello' }] });
    expect((await call(socket, undefined, 'GET', '/v1/models')).body.data[0].id).toBe('sim-model');
  });

  it('refuses streaming and a bad body, naming the field, without calling the LLM', async () => {
    const socket = await open();
    expect(await call(socket, { ...chat, stream: true })).toMatchObject({ status: 400, body: { error: { code: 'streaming_unsupported', param: 'stream' } } });
    expect(await call(socket, { messages: [] })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', param: 'messages' } } });
    expect(await call(socket, { messages: [{ role: 'robot', content: 'x' }] })).toMatchObject({ status: 400, body: { error: { param: 'messages[0].role' } } });
    expect(asked).toEqual([]);
  });

  it('past the budget: 400 budget_exhausted (turns, then tokens)', async () => {
    let socket = await open({ turns: 2, tokens: 1_000 });
    await call(socket, chat);
    await call(socket, chat);
    expect(await call(socket, chat)).toMatchObject({ status: 400, body: { error: { code: 'budget_exhausted' } } });
    expect(endpoint!.calls).toBe(2);
    await endpoint!.close();
    socket = await open({ turns: 10, tokens: 15 }, () => answer(10));
    await call(socket, chat);
    await call(socket, chat);
    expect(await call(socket, chat)).toMatchObject({ status: 400, body: { error: { code: 'budget_exhausted' } } });
  });

  it(`one call in flight and ${ENDPOINT_LIMITS.waiting} waiting; beyond that 429, and the waiting ones are answered in order`, async () => {
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    const socket = await open();
    const calls = Array.from({ length: 8 }, () => call(socket, chat));
    await new Promise((r) => setTimeout(r, 200));
    release();
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.status === 429)).toHaveLength(3);
    expect(results.filter((r) => r.status === 200).map((r) => r.body.id).sort()).toEqual(['call-0', 'call-1', 'call-2', 'call-3', 'call-4']);
    expect(endpoint!.refused.rate).toBe(3);
  });

  it('close() (the program ended) waits for the call under way, and the waiting ones never reach the LLM', async () => {
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    const socket = await open();
    const calls = Array.from({ length: 3 }, () => call(socket, chat).catch(() => 'cut'));
    await new Promise((r) => setTimeout(r, 200));
    expect(asked).toHaveLength(1);
    let closed = false;
    const closing = endpoint!.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false); // the call under way is still with the gateway
    release();
    await closing;
    await Promise.all(calls);
    expect(asked).toHaveLength(1);
    expect(endpoint!.calls).toBe(1);
    endpoint = undefined;
  });

  it('an LLM failure is a 503 when it is the infrastructure, 500 otherwise; each counts as a call', async () => {
    const socket = await open({ turns: 10, tokens: 1_000 }, () => ({ ok: false, error: new LlmError('LLM_BACKEND_UNAVAILABLE', 'down') }));
    expect(await call(socket, chat)).toMatchObject({ status: 503, body: { error: { code: 'llm_backend_unavailable' } } });
    expect(endpoint!.calls).toBe(1);
  });
});
