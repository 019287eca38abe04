import { createHash } from 'node:crypto';
import { createEventRegistry, llmStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { eventually } from '@swe-sim/testing';
import { SimulationStack, aCompletedSimulation, startSimulationStack } from '../support/simulation-stack';

/**
 * Issue 6: GET /simulations/:id/export streams a real simulation's history as JSON lines — every
 * event as /events shows it, or every completed LLM call in OpenAI's chat fine-tuning format
 * (bodies resolved from the blob table, failed calls left out).
 */
describe('exporting a simulation', () => {
  let stack: SimulationStack;
  let store: EventStore;
  let simulationId: string;

  const get = (path: string) => fetch(`${stack.pm.url}${path}`);
  const lines = async (path: string) => {
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(r.headers.get('transfer-encoding')).toBe('chunked'); // streamed, no Content-Length of a buffered body
    const text = await r.text();
    expect(text.endsWith('\n')).toBe(true);
    return text.split('\n').slice(0, -1).map((l) => JSON.parse(l));
  };
  const resolve = async (v: any) => (v && typeof v.blob === 'string' ? JSON.parse((await store.getBlob(v.blob))!.toString('utf8')) : v);

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
    store = new EventStore(stack.db.pool, { registry: createEventRegistry() });
    simulationId = await aCompletedSimulation(stack);
  });
  afterAll(() => stack?.stop());

  it('gives every event of the simulation, in commit order, as GET /events pages them', async () => {
    const pages = async () => {
      const paged: any[] = [];
      for (let after = ''; ; ) {
        const page: any = await (await get(`/simulations/${simulationId}/events?limit=1000${after ? `&after=${after}` : ''}`)).json();
        paged.push(...page.items);
        if (page.items.length < 1000) return paged;
        after = page.nextCursor;
      }
    };
    const count = async () => Number((await stack.db.pool.query('SELECT count(*) FROM events WHERE simulation_id = $1', [simulationId])).rows[0].count);
    // The services may still record a last event or two (a sandbox's removal) after completion: compare once it is all settled.
    let exported: any[] = [];
    let paged: any[] = [];
    await eventually(async () => {
      exported = await lines(`/simulations/${simulationId}/export?format=events`);
      paged = await pages();
      return exported.length === paged.length && exported.length === (await count());
    }, 10_000, 'export, pages and table agree');
    expect(exported).toEqual(paged);
    expect(exported[0].type).toBe('SimulationStarted');
    expect(await lines(`/simulations/${simulationId}/export`)).toEqual(exported); // events is the default
  });

  it("gives each recorded LLM call that completed as a chat example: the request's messages, then its answer", async () => {
    const recorded = (await stack.db.pool.query(
      `SELECT type, data FROM events WHERE simulation_id = $1 AND type LIKE 'LlmCall%' ORDER BY transaction_id, global_position`,
      [simulationId],
    )).rows;
    const completed = recorded.filter((e) => e.type === 'LlmCallCompleted').map((e) => e.data);
    const requests = new Map(recorded.filter((e) => e.type === 'LlmCallRequested').map((e) => [`${e.data.callKey.agentId}#${e.data.callKey.seq}`, e.data]));
    expect(completed.length).toBeGreaterThan(10);
    expect([...requests.values()].some((r) => typeof r.request.blob === 'string')).toBe(true); // long prompts are blobs

    const chat = await lines(`/simulations/${simulationId}/export?format=chat&metadata=true`);
    expect(chat).toHaveLength(completed.length);
    for (const [i, line] of chat.entries()) {
      const d = completed[i];
      const id = `${d.callKey.agentId}#${d.callKey.seq}`;
      expect(line.metadata).toMatchObject({ simulationId, callId: id, agentId: d.callKey.agentId, seq: d.callKey.seq, model: d.model, usage: d.usage });
      expect(Object.keys(line)[0]).toBe('messages');
      const request = await resolve(requests.get(id)!.request);
      const message = await resolve(d.message);
      expect(line.messages.slice(0, -1)).toEqual(request.messages);
      const last = line.messages[line.messages.length - 1];
      expect(last).toEqual({
        role: 'assistant',
        content: message.content,
        ...(message.tool_calls.length ? { tool_calls: message.tool_calls.map((t: any) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })) } : {}),
      });
      if (request.tools) expect(line.tools).toEqual(request.tools);
      expect(line.metadata.sampling).toEqual(request.sampling);
    }
    expect(chat.some((l) => l.messages.at(-1).tool_calls?.length > 0)).toBe(true); // the drivers' tool calls
    expect(chat.some((l) => l.messages.some((m: any) => m.role === 'tool'))).toBe(true); // and their results in later prompts

    // Without metadata: only the keys OpenAI's fine-tuning validator accepts.
    const plain = await lines(`/simulations/${simulationId}/export?format=chat`);
    expect(plain.map((l) => ({ messages: l.messages, ...(l.tools ? { tools: l.tools } : {}) }))).toEqual(chat.map((l) => ({ messages: l.messages, ...(l.tools ? { tools: l.tools } : {}) })));
    expect(plain.every((l) => Object.keys(l).every((k) => k === 'messages' || k === 'tools'))).toBe(true);
  });

  it('pages through a history longer than a page, leaving out failed calls and calls with no answer', async () => {
    // 400 more calls (800 events) of one agent, one that failed, one never answered.
    const agentId = 'tester/export';
    const meta = { simulationId, correlationId: 'export-test', actor: 'test' };
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    const call = (seq: number) => ({ simulationId, agentId, seq });
    for (let seq = 0; seq < 400; seq += 50) {
      const batch = [];
      for (let s = seq; s < seq + 50; s++) {
        const requestHash = hash(`r${s}`);
        batch.push({ type: 'LlmCallRequested', data: { callKey: call(s), model: 'm', requestHash, request: { model: 'm', messages: [{ role: 'user', content: `q${s}` }], sampling: {} } } });
        batch.push({
          type: 'LlmCallCompleted',
          data: {
            callKey: call(s), requestHash, model: 'm', backend: 'b', message: { content: `a${s}`, tool_calls: [] }, finishReason: 'stop',
            usage: { promptTokens: 1, completionTokens: 1 }, timings: { queueMs: 0, latencyMs: 1 }, attempts: 1, repaired: false,
          },
        });
      }
      await store.append(llmStream(simulationId, agentId), batch, { metadata: meta });
    }
    await store.append(llmStream(simulationId, agentId), [
      { type: 'LlmCallRequested', data: { callKey: call(400), model: 'm', requestHash: hash('f'), request: { model: 'm', messages: [{ role: 'user', content: 'fails' }], sampling: {} } } },
      { type: 'LlmCallFailed', data: { callKey: call(400), requestHash: hash('f'), error: { code: 'LLM_UNAVAILABLE', message: 'down' }, attempts: 4 } },
      { type: 'LlmCallRequested', data: { callKey: call(401), model: 'm', requestHash: hash('n'), request: { model: 'm', messages: [{ role: 'user', content: 'no answer' }], sampling: {} } } },
    ], { metadata: meta });

    const total = Number((await stack.db.pool.query('SELECT count(*) FROM events WHERE simulation_id = $1', [simulationId])).rows[0].count);
    expect(total).toBeGreaterThan(1000); // two pages and more
    // An export ends where commit order is settled (as /events): the last append may need a moment.
    await eventually(async () => (await lines(`/simulations/${simulationId}/export?format=events`)).length === total, 10_000, 'every event exported');
    const chat = await lines(`/simulations/${simulationId}/export?format=chat&metadata=true`);
    const mine = chat.filter((l) => l.metadata.agentId === agentId);
    expect(mine.map((l) => l.messages)).toEqual(Array.from({ length: 400 }, (_, s) => [{ role: 'user', content: `q${s}` }, { role: 'assistant', content: `a${s}` }]));
    const completedCount = Number((await stack.db.pool.query(`SELECT count(*) FROM events WHERE simulation_id = $1 AND type = 'LlmCallCompleted'`, [simulationId])).rows[0].count);
    expect(chat).toHaveLength(completedCount);
  });

  it('refuses an unknown simulation, a bad format and unknown parameters', async () => {
    const err = async (path: string) => {
      const r = await get(path);
      return { status: r.status, error: ((await r.json()) as any).error };
    };
    expect(await err('/simulations/00000000-0000-4000-8000-000000000000/export?format=events')).toMatchObject({ status: 404, error: { code: 'SIMULATION_NOT_FOUND' } });
    expect(await err(`/simulations/${simulationId}/export?format=csv`)).toMatchObject({ status: 400, error: { code: 'VALIDATION_FAILED', field: 'format' } });
    expect(await err(`/simulations/${simulationId}/export?format=chat';--`)).toMatchObject({ status: 400, error: { field: 'format' } });
    expect(await err(`/simulations/${simulationId}/export?format=chat&metadata=yes`)).toMatchObject({ status: 400, error: { field: 'metadata' } });
    expect(await err(`/simulations/${simulationId}/export?format=chat&limit=5`)).toMatchObject({ status: 400, error: { field: 'limit' } });
    expect(await err('/simulations/not-a-uuid/export')).toMatchObject({ status: 400, error: { field: 'id' } });
  });
});
