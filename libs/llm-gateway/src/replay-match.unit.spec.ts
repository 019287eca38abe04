import type { RecordedCall } from './recording';
import { hashRequest } from './recording';
import { replayMismatch, rekeyed } from './replay-match';
import { deriveSeed, normalizeRequest } from './request';
import type { CallKey, LlmRequest } from './types';

const request: LlmRequest = { model: 'm', messages: [{ role: 'user', content: 'Estimate story 1' }] };
const original: CallKey = { simulationId: 'orig', agentId: 'dev-1', seq: 4 };
const here: CallKey = { simulationId: 'fork', agentId: 'dev-1', seq: 4 };
const norm = (r: LlmRequest, k: CallKey) => normalizeRequest(r, k, undefined, 'dev');
const recorded = (r: LlmRequest, k: CallKey, origin?: RecordedCall['origin']): RecordedCall => {
  const n = norm(r, k);
  return { key: k, requestHash: hashRequest(n), request: n, ...(origin ? { origin } : {}) };
};

describe('replayMismatch', () => {
  it('an own recording answers the same request, and names the field of a different one', () => {
    const rec = recorded(request, here);
    const same = norm(request, here);
    expect(replayMismatch(rec, same, hashRequest(same), here)).toEqual([]);
    const changed = norm({ ...request, messages: [{ role: 'user', content: 'Estimate story 2' }] }, here);
    expect(replayMismatch(rec, changed, hashRequest(changed), here).join(' ')).toMatch(/messages/);
    const { request: _dropped, ...hashOnly } = rec;
    expect(replayMismatch(hashOnly, changed, hashRequest(changed), here)[0]).toMatch(/^request hash recorded [0-9a-f]{12} vs now [0-9a-f]{12}$/);
  });

  it("another simulation's recording answers the same request made under this key (seed and user tag moved)", () => {
    const rec = recorded(request, original, { simulationId: 'orig', compare: 'request', onMismatch: 'throw' });
    const now = norm(request, here);
    expect(replayMismatch(rec, now, hashRequest(now), here)).toEqual([]);
    const hotter = norm({ ...request, sampling: { temperature: 0.9 } }, here);
    expect(replayMismatch(rec, hotter, hashRequest(hotter), here).join(' ')).toMatch(/temperature/);
  });

  it("compare 'prompt' ignores model and sampling, not the messages", () => {
    const rec = recorded(request, original, { simulationId: 'orig', compare: 'prompt', onMismatch: 'live' });
    const hotter = norm({ ...request, model: 'other', sampling: { temperature: 0.9 } }, here);
    expect(replayMismatch(rec, hotter, hashRequest(hotter), here)).toEqual([]);
    const reworded = norm({ ...request, messages: [{ role: 'user', content: 'Estimate story 9' }] }, here);
    expect(replayMismatch(rec, reworded, hashRequest(reworded), here)).not.toEqual([]);
    expect(replayMismatch({ ...rec, request: undefined }, hotter, hashRequest(hotter), here)).toEqual(['the recorded request is not available to compare']);
  });
});

describe('rekeyed', () => {
  it('moves a derived seed and the simulation in the user tag, and keeps a seed the caller chose', () => {
    const moved = rekeyed(norm(request, original), original, here);
    expect(moved.sampling.seed).toBe(deriveSeed(here));
    expect(moved.user).toBe('sim:fork agent:dev-1 role:dev');
    const chosen = rekeyed(norm({ ...request, sampling: { seed: 7 } }, original), original, here);
    expect(chosen.sampling.seed).toBe(7);
  });
});
