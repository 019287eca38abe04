import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createEventRegistry, llmStream } from '@swe-sim/contracts';
import { EventStore, uuidV5 } from '@swe-sim/event-store';
import { createTestDatabase, TestDatabase } from '@swe-sim/testing';
import {
  EventStoreCallRecorder,
  EventStoreReplaySource,
  LlmError,
  LlmGateway,
  LlmReplayDivergenceError,
  llmCallEventId,
  type LlmCallContext,
  type LlmGatewayOptions,
  type LlmRequest,
  type LlmResponse,
} from '@swe-sim/llm-gateway';
import { createLlmSimulator, LlmSimulator, ScriptSpec } from '../../apps/llm-simulator/src';

const MODEL = 'sim-model';
const BIG_ANSWER = 'The implementation, explained at length. '.repeat(150); // ≈6 KB, 1.6k tokens
const SCRIPT: ScriptSpec = {
  rules: [
    { match: { role: 'r500' }, fault: { kind: '500' } },
    { match: { role: 'fixable', contains: 'rejected: (.*)' }, respond: { json: { points: 5 } } },
    { match: { role: 'fixable' }, respond: { content: 'Sure! The estimate is five points.' } },
    { match: { role: 'coder', turn: 1 }, respond: { content: 'Let me run the tests.', tool_calls: [{ name: 'run_tests', arguments: { path: 'src' } }] } },
    { match: { contains: 'write a long answer' }, respond: { content: BIG_ANSWER } },
    { match: { contains: 'echo (\\w+)' }, respond: { content: 'echo: {{1}}' } },
  ],
  default: { content: 'default answer' },
};
const TOOLS = [{ name: 'run_tests', description: 'Run the test suite', parameters: { type: 'object', properties: { path: { type: 'string' } } } }];
const ESTIMATE = { jsonSchema: { type: 'object', properties: { points: { type: 'integer' } }, required: ['points'] }, zod: z.object({ points: z.number().int() }) };
const BIG_PROMPT = `echo big. Context follows. ${'lorem ipsum dolor sit amet '.repeat(400)}`; // ≈11 KB

interface Step {
  agentId: string;
  role: string;
  request: LlmRequest;
}

/** A small agent history: plain, tool call, repaired structured output, a failure, a large prompt and a large answer. */
const steps = (): Step[] => [
  { agentId: 'dev-1', role: 'dev', request: { model: MODEL, messages: [{ role: 'user', content: 'echo hello' }] } },
  { agentId: 'dev-1', role: 'coder', request: { model: MODEL, messages: [{ role: 'user', content: 'Fix the bug' }], tools: TOOLS } },
  { agentId: 'dev-1', role: 'fixable', request: { model: MODEL, messages: [{ role: 'user', content: 'Estimate the login feature' }], structured: ESTIMATE } },
  { agentId: 'dev-2', role: 'r500', request: { model: MODEL, messages: [{ role: 'user', content: 'this one fails' }] } },
  { agentId: 'dev-2', role: 'dev', request: { model: MODEL, messages: [{ role: 'system', content: 'role:dev' }, { role: 'user', content: BIG_PROMPT }] } },
  { agentId: 'dev-2', role: 'dev', request: { model: MODEL, messages: [{ role: 'user', content: 'write a long answer' }] } },
];

type Outcome = { ok: true; response: LlmResponse } | { ok: false; code: string; message: string; attempts?: number };

async function runSteps(gw: LlmGateway, simulationId: string, list: Step[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const s of list) {
    const ctx: LlmCallContext = { simulationId, agentId: s.agentId, role: s.role };
    const r = await gw.tryComplete(s.request, ctx);
    out.push(r.ok ? r : { ok: false, code: r.error.code, message: r.error.message, attempts: r.error.attempts });
  }
  return out;
}

describe('recording LLM calls in the event store, and replay from it', () => {
  let db: TestDatabase;
  let store: EventStore;
  let sim: LlmSimulator;
  let baseUrl: string;
  const gateways: LlmGateway[] = [];
  const gateway = (o: Partial<LlmGatewayOptions> = {}) => {
    const g = new LlmGateway({ backends: [{ name: 'sim', baseUrl, models: [MODEL] }], retry: { baseDelayMs: 2, maxDelayMs: 20 }, ...o });
    gateways.push(g);
    return g;
  };
  const streamEvents = async (simulationId: string, agentId: string) => store.readStream(llmStream(simulationId, agentId));

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry(), defaultActor: 'agent-execution' });
    sim = createLlmSimulator({ timeScale: 0.001, script: SCRIPT });
    baseUrl = (await sim.listen(0)).baseUrl;
  });
  beforeEach(() => sim.script.reset());
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await sim?.close();
    await db?.drop();
  });

  describe('a recorded history', () => {
    const simulationId = randomUUID();
    let recorded: Outcome[];

    beforeAll(async () => {
      recorded = await runSteps(gateway({ recorder: new EventStoreCallRecorder({ store }) }), simulationId, steps());
    });

    it('records requested + completed/failed per call, in seq order, with the simulation in the metadata', async () => {
      expect(recorded.map((r) => r.ok)).toEqual([true, true, true, false, true, true]);
      const dev1 = await streamEvents(simulationId, 'dev-1');
      expect(dev1.map((e) => `${e.type}:${(e.data as any).callKey.seq}`)).toEqual([
        'LlmCallRequested:1',
        'LlmCallCompleted:1',
        'LlmCallRequested:2',
        'LlmCallCompleted:2',
        'LlmCallRequested:3',
        'LlmCallCompleted:3',
      ]);
      expect(dev1.every((e) => e.metadata.simulationId === simulationId && e.metadata.actor === 'agent-execution')).toBe(true);
      expect(dev1[0].id).toBe(llmCallEventId({ simulationId, agentId: 'dev-1', seq: 1 }, 'requested'));

      const completed = dev1[1].data as any;
      expect(completed).toMatchObject({
        callKey: { simulationId, agentId: 'dev-1', seq: 1 },
        model: MODEL,
        backend: 'sim',
        message: { content: 'echo: hello', tool_calls: [] },
        finishReason: 'stop',
        attempts: 1,
        repaired: false,
      });
      expect(completed.usage.completionTokens).toBeGreaterThan(0);
      expect(completed.timings.latencyMs).toBeGreaterThan(0);
      expect(completed.requestHash).toBe((dev1[0].data as any).requestHash);
      expect((dev1[0].data as any).request.sampling.temperature).toBe(0.7);

      const repaired = dev1[5].data as any;
      expect(repaired).toMatchObject({ repaired: true, attempts: 2, parsed: { value: { points: 5 } } });

      const dev2 = await streamEvents(simulationId, 'dev-2');
      const failed = dev2.find((e) => e.type === 'LlmCallFailed')!.data as any;
      expect(failed).toMatchObject({ callKey: { agentId: 'dev-2', seq: 1 }, error: { code: 'LLM_BACKEND_ERROR', status: 500 }, attempts: 4 });
    });

    it('puts a large prompt and a large completion in the blob table; the events carry the hash', async () => {
      const dev2 = await streamEvents(simulationId, 'dev-2');
      const bigRequest = dev2.find((e) => e.type === 'LlmCallRequested' && (e.data as any).callKey.seq === 2)!.data as any;
      expect(Object.keys(bigRequest.request)).toEqual(['blob']);
      const body = JSON.parse((await store.getBlob(bigRequest.request.blob))!.toString('utf8'));
      expect(body.messages[1].content).toBe(BIG_PROMPT);

      const bigAnswer = dev2.find((e) => e.type === 'LlmCallCompleted' && (e.data as any).callKey.seq === 3)!.data as any;
      expect(Object.keys(bigAnswer.message)).toEqual(['blob']);
      expect(JSON.parse((await store.getBlob(bigAnswer.message.blob))!.toString('utf8')).content).toBe(BIG_ANSWER);

      const sizes = await db.pool.query(`SELECT max(octet_length(data::text))::int AS n FROM events WHERE stream_id LIKE 'llm-%'`);
      expect(sizes.rows[0].n).toBeLessThan(4096 + 1024);
    });

    it('replays the same calls with zero network calls and identical responses (and the same failure)', async () => {
      const before = sim.stats().requests;
      const replayed = await runSteps(gateway({ replay: new EventStoreReplaySource({ store }) }), simulationId, steps());
      expect(sim.stats().requests).toBe(before);
      expect(replayed).toEqual(recorded);
      const parsed = replayed[2].ok ? replayed[2].response.parsed : undefined;
      expect(parsed).toEqual({ points: 5 });
    });

    it('a changed request throws LlmReplayDivergenceError naming (simulation, agent, seq) and the field', async () => {
      const changed = steps();
      changed[4].request = { ...changed[4].request, sampling: { temperature: 0.1 } };
      const before = sim.stats().requests;
      const gw = gateway({ replay: new EventStoreReplaySource({ store }) });
      const out = await runSteps(gw, simulationId, changed.slice(0, 4));
      expect(out.map((o) => o.ok)).toEqual([true, true, true, false]);
      const err = await gw.complete(changed[4].request, { simulationId, agentId: 'dev-2', role: 'dev' }).catch((e) => e);
      expect(err).toBeInstanceOf(LlmReplayDivergenceError);
      expect(err.code).toBe('LLM_REPLAY_DIVERGENCE');
      expect(err.message).toContain(`simulation=${simulationId} agent=dev-2 seq=2`);
      expect(err.message).toContain('sampling.temperature: recorded 0.7 vs now 0.1');
      expect(sim.stats().requests).toBe(before);
    });

    it('a call past the end of the recording is a divergence too (or goes live when asked)', async () => {
      const extra: LlmRequest = { model: MODEL, messages: [{ role: 'user', content: 'echo more' }] };
      const key = { simulationId, agentId: 'dev-1', seq: 4 };
      const err = await gateway({ replay: new EventStoreReplaySource({ store }) }).complete(extra, key).catch((e) => e);
      expect(err).toBeInstanceOf(LlmReplayDivergenceError);
      expect(err.message).toContain('seq=4: no recorded call with this key');

      // A fork / resumed run: recorded calls come from the store, new ones go live and are recorded.
      const replay = new EventStoreReplaySource({ store });
      const live = gateway({ replay, recorder: new EventStoreCallRecorder({ store }), onReplayMissing: 'live' });
      const before = sim.stats().requests;
      const r = await live.complete(extra, key);
      expect(r.message.content).toBe('echo: more');
      expect(sim.stats().requests).toBe(before + 1);
      const again = await gateway({ replay: new EventStoreReplaySource({ store }) }).complete(extra, key);
      expect(again).toEqual(r);
      expect(sim.stats().requests).toBe(before + 1);
    });
  });

  describe('a call asked again after an infrastructure failure (callKey.attempt)', () => {
    it('records the retry under ids of its own, with the same request, and replays each attempt with its own outcome', async () => {
      const simulationId = randomUUID();
      const recorder = new EventStoreCallRecorder({ store });
      const failing = { model: MODEL, messages: [{ role: 'user' as const, content: 'echo retried' }] };
      const first = await gateway({ recorder, retry: { maxAttempts: 1 } }).tryComplete(failing, { simulationId, agentId: 'dev-3', seq: 0, role: 'r500' });
      expect(first.ok).toBe(false);
      const retried = await gateway({ recorder }).complete(failing, { simulationId, agentId: 'dev-3', seq: 0, attempt: 1, role: 'dev' });
      expect(retried.message.content).toBe('echo: retried');

      const events = await streamEvents(simulationId, 'dev-3');
      expect(events.map((e) => [e.type, (e.data as any).callKey.attempt])).toEqual([
        ['LlmCallRequested', undefined],
        ['LlmCallFailed', undefined],
        ['LlmCallRequested', 1],
        ['LlmCallCompleted', 1],
      ]);
      // The same request: the seed derives from the key without its attempt.
      const [a, b] = events.filter((e) => e.type === 'LlmCallRequested').map((e) => (e.data as any).requestHash);
      expect(events[3].id).toBe(llmCallEventId({ simulationId, agentId: 'dev-3', seq: 0, attempt: 1 }, 'outcome'));
      expect(events[3].id).not.toBe(llmCallEventId({ simulationId, agentId: 'dev-3', seq: 0 }, 'outcome'));
      expect(a).not.toBe(b); // the role tag differs here (r500 vs dev) …
      const seeds = events.filter((e) => e.type === 'LlmCallRequested').map((e) => (e.data as any).request.sampling.seed);
      expect(seeds[0]).toEqual(expect.any(Number));
      expect(seeds[1]).toBe(seeds[0]); // … but not the seed

      const replay = gateway({ replay: new EventStoreReplaySource({ store }) });
      const again = await replay.tryComplete(failing, { simulationId, agentId: 'dev-3', seq: 0, role: 'r500' });
      expect(again.ok ? null : again.error.code).toBe('LLM_BACKEND_ERROR');
      const answer = await replay.complete(failing, { simulationId, agentId: 'dev-3', seq: 0, attempt: 1, role: 'dev' });
      expect(answer.message.content).toBe('echo: retried');
    });
  });

  describe('idempotent recording', () => {
    it('recording the same call key twice (a re-run after a crash) appends no second event', async () => {
      const simulationId = randomUUID();
      const recorder = new EventStoreCallRecorder({ store });
      const req: LlmRequest = { model: MODEL, messages: [{ role: 'user', content: 'echo again' }] };
      const ctx = { simulationId, agentId: 'a', seq: 1 };
      const first = await gateway({ recorder }).complete(req, ctx);
      const second = await gateway({ recorder: new EventStoreCallRecorder({ store }) }).complete(req, ctx);
      expect(second.message).toEqual(first.message);
      const events = await streamEvents(simulationId, 'a');
      expect(events.map((e) => e.type)).toEqual(['LlmCallRequested', 'LlmCallCompleted']);

      // A failure recorded after a completion (or the reverse) is not a second outcome either.
      await recorder.failed(ctx, { code: 'LLM_TIMEOUT', message: 'late' });
      expect((await streamEvents(simulationId, 'a')).length).toBe(2);
    });

    it('a re-run that asks something else under a recorded key is refused before any network call', async () => {
      const simulationId = randomUUID();
      const recorder = new EventStoreCallRecorder({ store });
      const ctx = { simulationId, agentId: 'a', seq: 1 };
      await gateway({ recorder }).complete({ model: MODEL, messages: [{ role: 'user', content: 'echo one' }] }, ctx);
      const before = sim.stats().requests;
      const err = await gateway({ recorder })
        .complete({ model: MODEL, messages: [{ role: 'user', content: 'echo two' }] }, ctx)
        .catch((e) => e);
      expect(err).toBeInstanceOf(LlmError);
      expect(err.code).toBe('LLM_REPLAY_DIVERGENCE');
      expect(err.message).toContain('messages[0].content: recorded "echo one" vs now "echo two"');
      expect(sim.stats().requests).toBe(before);
      expect((await streamEvents(simulationId, 'a')).length).toBe(2);
    });

    it('concurrent recordings of the same key keep one requested and one outcome', async () => {
      const simulationId = randomUUID();
      const ctx = { simulationId, agentId: 'a', seq: 7 };
      const req: LlmRequest = { model: MODEL, messages: [{ role: 'user', content: 'echo race' }] };
      await Promise.all([1, 2, 3].map(() => gateway({ recorder: new EventStoreCallRecorder({ store }) }).complete(req, ctx)));
      expect((await streamEvents(simulationId, 'a')).map((e) => e.type)).toEqual(['LlmCallRequested', 'LlmCallCompleted']);
    });

    it('derives UUIDv5-shaped ids that differ per key and part', () => {
      const k = { simulationId: 's', agentId: 'a', seq: 1 };
      const id = llmCallEventId(k, 'requested');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(llmCallEventId(k, 'outcome')).not.toBe(id);
      expect(llmCallEventId({ ...k, seq: 2 }, 'requested')).not.toBe(id);
      expect(uuidV5('x')).toBe(uuidV5('x'));
    });
  });

  it('records calls of a simulation id that is not a UUID (metadata simulationId null), replayable all the same', async () => {
    const simulationId = `bench-${randomUUID().slice(0, 8)}`;
    const req: LlmRequest = { model: MODEL, messages: [{ role: 'user', content: 'echo plain' }] };
    const r = await gateway({ recorder: new EventStoreCallRecorder({ store }) }).complete(req, { simulationId, agentId: 'a' });
    const events = await streamEvents(simulationId, 'a');
    expect(events[0].metadata.simulationId).toBeNull();
    const again = await gateway({ replay: new EventStoreReplaySource({ store }) }).complete(req, { simulationId, agentId: 'a' });
    expect(again).toEqual(r);
  });
});
