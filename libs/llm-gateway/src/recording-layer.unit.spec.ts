import type { CallKey } from './call-key';
import { LlmError, LlmRateLimitedError, LlmReplayDivergenceError } from './errors';
import { GatewayMetrics } from './gateway-metrics';
import type { CallAccounting } from './options';
import { hashRequest, InMemoryCallStore } from './recording';
import { RecordingLayer, type RecordingOptions } from './recording-layer';
import { normalizeRequest } from './request';
import { BackendScheduler } from './scheduler';
import type { LlmRequest, LlmResponse } from './types';

const request: LlmRequest = { model: 'm', messages: [{ role: 'user', content: 'Estimate story 1' }] };
const callOf = (key: CallKey, r: LlmRequest = request) => {
  const normalized = normalizeRequest(r, key, undefined, undefined);
  return { key, model: r.model, normalized, hash: hashRequest(normalized) };
};
const answerTo = (key: CallKey, content: string): LlmResponse => ({
  message: { content, tool_calls: [] },
  finishReason: 'stop',
  usage: { promptTokens: 10, completionTokens: 3 },
  timings: { queueMs: 1, latencyMs: 20 },
  backend: 'b',
  model: 'm',
  attempts: 1,
  repaired: false,
  toolCallsFromContent: false,
  callKey: key,
  requestHash: callOf(key).hash,
});

describe('RecordingLayer', () => {
  const scheduler = new BackendScheduler([{ name: 'b', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'] }]);
  afterAll(() => scheduler.close());
  const key: CallKey = { simulationId: 'S', agentId: 'dev-1', seq: 1 };

  function setUp(options: RecordingOptions = {}) {
    const metrics = new GatewayMetrics(scheduler);
    const accounted: CallAccounting[] = [];
    const layer = new RecordingLayer({ onCall: (a) => accounted.push(a), ...options }, metrics);
    let liveCalls = 0;
    const live = (content = 'live answer') => async () => {
      liveCalls++;
      return answerTo(key, content);
    };
    return { layer, metrics, accounted, live, liveCalls: () => liveCalls };
  }

  it('records a live call before and after it, and accounts for it', async () => {
    const store = new InMemoryCallStore();
    const t = setUp({ recorder: store });
    const r = await t.layer.answer(callOf(key), t.live());
    expect(r.message.content).toBe('live answer');
    expect(store.lookup(key)).toMatchObject({ requestHash: callOf(key).hash, outcome: { status: 'completed', response: { message: { content: 'live answer' } } } });
    expect(t.accounted).toEqual([expect.objectContaining({ callKey: key, outcome: 'ok', replayed: false, attempts: 1, usage: { promptTokens: 10, completionTokens: 3 } })]);
    expect(t.metrics.calls.get({ outcome: 'ok' })).toBe(1);
  });

  it('records a failure as the typed error it was, and an unexpected throw as LLM_BACKEND_ERROR', async () => {
    const store = new InMemoryCallStore();
    const t = setUp({ recorder: store });
    const limited = new LlmRateLimitedError('slow down', { backend: 'b', attempts: 4 });
    await expect(t.layer.answer(callOf(key), () => Promise.reject(limited))).rejects.toBe(limited);
    expect(store.lookup(key)!.outcome).toEqual({ status: 'failed', error: { code: 'LLM_RATE_LIMITED', message: 'slow down', backend: 'b', attempts: 4 } });
    expect(t.accounted[0]).toMatchObject({ outcome: 'LLM_RATE_LIMITED', backend: 'b', attempts: 4, replayed: false });
    const other = { ...key, seq: 2 };
    await expect(t.layer.answer(callOf(other), () => Promise.reject(new Error('boom')))).rejects.toMatchObject({ code: 'LLM_BACKEND_ERROR', message: 'boom' });
    expect(t.metrics.calls.get({ outcome: 'LLM_RATE_LIMITED' }) + t.metrics.calls.get({ outcome: 'LLM_BACKEND_ERROR' })).toBe(2);
  });

  it('answers from its own recording with no live call and records nothing again', async () => {
    const store = new InMemoryCallStore();
    await setUp({ recorder: store }).layer.answer(callOf(key), setUp().live('recorded answer'));
    const recorder = { requested: jest.fn(), completed: jest.fn(), failed: jest.fn() };
    const t = setUp({ replay: store, recorder });
    const r = await t.layer.answer(callOf(key), t.live());
    expect(r.message.content).toBe('recorded answer');
    expect(t.liveCalls()).toBe(0);
    expect(recorder.requested).not.toHaveBeenCalled();
    expect(t.accounted[0]).toMatchObject({ outcome: 'ok', replayed: true });
    expect(t.metrics.replayed.total()).toBe(1);
  });

  it("records another simulation's answer in this one, marked replayedFrom, and replays a recorded failure as its typed error", async () => {
    const original: CallKey = { simulationId: 'O', agentId: 'dev-1', seq: 1 };
    const source = {
      lookup: (k: CallKey) => ({
        key: original,
        requestHash: callOf(original).hash,
        request: callOf(original).normalized,
        origin: { simulationId: 'O', compare: 'request' as const, onMismatch: 'throw' as const },
        outcome:
          k.seq === 1
            ? { status: 'completed' as const, response: answerTo(original, 'from O') }
            : { status: 'failed' as const, error: { code: 'LLM_TIMEOUT' as const, message: 'late', attempts: 1 } },
      }),
    };
    const store = new InMemoryCallStore();
    const t = setUp({ replay: source, recorder: store });
    const r = await t.layer.answer(callOf(key), t.live());
    expect(r).toMatchObject({ message: { content: 'from O' }, callKey: key, requestHash: callOf(key).hash, replayedFrom: 'O' });
    expect(store.lookup(key)!.outcome).toMatchObject({ status: 'completed', response: { replayedFrom: 'O' } });
    const second = { ...key, seq: 2 };
    await expect(t.layer.answer(callOf(second), t.live())).rejects.toMatchObject({ code: 'LLM_TIMEOUT', message: 'late' });
    expect(store.lookup(second)!.outcome).toEqual({ status: 'failed', error: { code: 'LLM_TIMEOUT', message: 'late', attempts: 1, replayedFrom: 'O' } });
    expect(t.accounted.map((a) => [a.outcome, a.replayed])).toEqual([['ok', true], ['LLM_TIMEOUT', true]]);
    expect(t.liveCalls()).toBe(0);
  });

  it('a different request diverges, unless the source says to go live there', async () => {
    const store = new InMemoryCallStore();
    await setUp({ recorder: store }).layer.answer(callOf(key), setUp().live());
    const changed = callOf(key, { ...request, messages: [{ role: 'user', content: 'Estimate story 2' }] });
    const strict = setUp({ replay: store });
    await expect(strict.layer.answer(changed, strict.live())).rejects.toBeInstanceOf(LlmReplayDivergenceError);
    const forking = setUp({ replay: { lookup: (k) => ({ ...store.lookup(k)!, origin: { simulationId: 'O', compare: 'prompt', onMismatch: 'live' } }) } });
    expect((await forking.layer.answer(changed, forking.live('new path'))).message.content).toBe('new path');
    expect(forking.liveCalls()).toBe(1);
  });

  it('a call missing from the recording throws by default, or goes live as the policy says, per call', async () => {
    const empty = new InMemoryCallStore();
    const strict = setUp({ replay: empty });
    await expect(strict.layer.answer(callOf(key), strict.live())).rejects.toThrow(/no recorded call with this key/);
    const resume = setUp({ replay: empty, onReplayMissing: 'live' });
    expect((await resume.layer.answer(callOf(key), resume.live())).message.content).toBe('live answer');
    const perCall = setUp({ replay: empty, onReplayMissing: async (k) => (k.seq === 1 ? 'live' : 'throw') });
    await expect(perCall.layer.answer(callOf(key), perCall.live())).resolves.toBeDefined();
    await expect(perCall.layer.answer(callOf({ ...key, seq: 2 }), perCall.live())).rejects.toBeInstanceOf(LlmReplayDivergenceError);
    empty.requested(key, { hash: callOf(key).hash, body: callOf(key).normalized });
    await expect(strict.layer.answer(callOf(key), strict.live())).rejects.toThrow(/the recorded call has no outcome/);
  });

  it("replayRecorded answers from another simulation's recording alone, recorded here as replayed; null when there is none", async () => {
    const original: CallKey = { simulationId: 'O', agentId: 'prog', seq: 1 };
    const origin = { simulationId: 'O', compare: 'request' as const, onMismatch: 'throw' as const };
    const fromO = (outcome: unknown) => ({ key: original, requestHash: callOf(original).hash, request: callOf(original).normalized, origin, outcome });
    const bySeq: Record<number, unknown> = {
      1: fromO({ status: 'completed', response: answerTo(original, 'from O') }),
      2: fromO({ status: 'failed', error: { code: 'LLM_RATE_LIMITED', message: 'busy', attempts: 4 } }),
      9: { ...fromO({ status: 'completed', response: answerTo(original, 'own') }), origin: undefined },
    };
    const source = { lookup: (k: CallKey) => bySeq[k.seq] } as never;
    const store = new InMemoryCallStore();
    const t = setUp({ replay: source, recorder: store });
    const ok = await t.layer.replayRecorded(key);
    expect(ok).toMatchObject({ ok: true, response: { message: { content: 'from O' }, callKey: key, replayedFrom: 'O' } });
    expect(store.lookup(key)!.outcome).toMatchObject({ status: 'completed', response: { replayedFrom: 'O' } });
    const failed = await t.layer.replayRecorded({ ...key, seq: 2 });
    expect(failed).toMatchObject({ ok: false, error: { code: 'LLM_RATE_LIMITED', message: 'busy' } });
    expect(await t.layer.replayRecorded({ ...key, seq: 3 })).toBeNull();
    expect(await t.layer.replayRecorded({ ...key, seq: 9 })).toBeNull(); // its own recording: not from an origin
    expect(await setUp().layer.replayRecorded(key)).toBeNull(); // no replay source
    expect(t.liveCalls()).toBe(0);
    expect(t.accounted.map((a) => [a.outcome, a.replayed])).toEqual([['ok', true], ['LLM_RATE_LIMITED', true]]);
  });

  it('an accounting callback that throws does not break the call', async () => {
    const layer = new RecordingLayer(
      {
        onCall: () => {
          throw new Error('accounting down');
        },
      },
      new GatewayMetrics(scheduler),
    );
    await expect(layer.answer(callOf(key), async () => answerTo(key, 'fine'))).resolves.toMatchObject({ message: { content: 'fine' } });
    await expect(layer.answer(callOf(key), () => Promise.reject(new LlmError('LLM_BAD_REQUEST', 'bad')))).rejects.toMatchObject({ code: 'LLM_BAD_REQUEST' });
  });
});
