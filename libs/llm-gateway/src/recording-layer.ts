/**
 * Recording and replay around a call. With a replay source, a recorded answer to the same request is
 * given with no network call (a different request is a divergence; a missing one throws or goes live,
 * as configured). Otherwise the live path answers, and the recorder is told before and after it.
 * Every logical call is counted and reported to `onCall`, whichever way it was answered.
 */
import type { CallKey } from './call-key';
import { LlmError, LlmReplayDivergenceError, llmErrorFromRecord } from './errors';
import type { GatewayMetrics } from './gateway-metrics';
import type { CallAccounting, LlmGatewayOptions } from './options';
import type { RecordedCall, RecordedOutcome } from './recording';
import { replayMismatch } from './replay-match';
import type { LlmResponse, LlmResult, NormalizedRequest } from './types';

export type RecordingOptions = Pick<LlmGatewayOptions, 'recorder' | 'replay' | 'onReplayMissing' | 'onCall'>;

/** One logical call as the recording layer sees it: who asks, and the request as recorded. */
export interface CallToAnswer {
  key: CallKey;
  model: string;
  normalized: NormalizedRequest;
  hash: string;
}

export class RecordingLayer {
  constructor(
    private readonly options: RecordingOptions,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** A recorded answer when the replay source has one for this request, else `live()`'s, recorded. */
  async answer(call: CallToAnswer, live: () => Promise<LlmResponse>): Promise<LlmResponse> {
    const { key, normalized, hash } = call;
    const replay = this.options.replay;
    if (replay) {
      const rec = await replay.lookup(key);
      if (rec && rec.outcome) {
        const diffs = replayMismatch(rec, normalized, hash, key);
        if (diffs.length && rec.origin?.onMismatch !== 'live') throw new LlmReplayDivergenceError(key, diffs);
        if (!diffs.length) return this.answerFromRecording(call, rec, rec.outcome);
      } else {
        const policy = this.options.onReplayMissing;
        const missing = typeof policy === 'function' ? await policy(key) : (policy ?? 'throw');
        if (missing === 'throw') throw new LlmReplayDivergenceError(key, [rec ? 'the recorded call has no outcome' : 'no recorded call with this key']);
      }
    }
    return this.recordLive(call, live);
  }

  /**
   * A call answered from another simulation's recording alone, for a caller that cannot ask it again
   * (an agent program is not re-run in a replay): recorded here as replayed, like any replayed
   * answer. null when the source has no such call with an outcome from an origin.
   */
  async replayRecorded(key: CallKey): Promise<LlmResult | null> {
    const rec = await this.options.replay?.lookup(key);
    if (!rec?.outcome || !rec.origin || !rec.request) return null;
    try {
      const call = { key, model: rec.request.model, normalized: rec.request, hash: rec.requestHash };
      return { ok: true, response: await this.answerFromRecording(call, rec, rec.outcome) };
    } catch (e) {
      if (e instanceof LlmError) return { ok: false, error: e };
      throw e;
    }
  }

  private async recordLive({ key, model, normalized, hash }: CallToAnswer, live: () => Promise<LlmResponse>): Promise<LlmResponse> {
    const recorder = this.options.recorder;
    if (recorder) await recorder.requested(key, { hash, body: normalized });
    let response: LlmResponse;
    try {
      response = await live();
    } catch (e) {
      const err = e instanceof LlmError ? e : new LlmError('LLM_BACKEND_ERROR', (e as Error).message, { cause: e });
      this.metrics.calls.inc({ outcome: err.code });
      this.account(key, model, err.backend ?? null, err.code, undefined, false, err.attempts);
      if (recorder) await recorder.failed(key, err.toRecord());
      throw err;
    }
    this.metrics.calls.inc({ outcome: 'ok' });
    this.account(key, model, response.backend, 'ok', response, false);
    if (recorder) await recorder.completed(key, response);
    return response;
  }

  /**
   * A recorded answer, with no network call. One from another simulation's recording (a replay, a
   * fork's prefix) is recorded in this simulation too, so its history holds every answer it used.
   */
  private async answerFromRecording({ key, model, normalized, hash }: CallToAnswer, rec: RecordedCall, outcome: RecordedOutcome): Promise<LlmResponse> {
    this.metrics.replayed.inc();
    const recorder = rec.origin ? this.options.recorder : undefined;
    if (recorder) await recorder.requested(key, { hash, body: normalized });
    if (outcome.status === 'completed') {
      const response = JSON.parse(JSON.stringify(outcome.response)) as LlmResponse;
      if (rec.origin) Object.assign(response, { callKey: { ...key }, requestHash: hash, replayedFrom: rec.origin.simulationId });
      if (recorder) await recorder.completed(key, response);
      this.account(key, model, response.backend, 'ok', response, true);
      return response;
    }
    const err = llmErrorFromRecord(outcome.error);
    if (recorder) await recorder.failed(key, { ...outcome.error, replayedFrom: rec.origin!.simulationId });
    this.account(key, model, err.backend ?? null, err.code, undefined, true);
    throw err;
  }

  private account(key: CallKey, model: string, backend: string | null, outcome: CallAccounting['outcome'], r: LlmResponse | undefined, replayed: boolean, attempts?: number): void {
    if (!this.options.onCall) return;
    try {
      this.options.onCall({
        callKey: key,
        model,
        backend,
        outcome,
        usage: r ? { ...r.usage } : { promptTokens: 0, completionTokens: 0 },
        timings: r ? { queueMs: r.timings.queueMs, latencyMs: r.timings.latencyMs } : { queueMs: 0, latencyMs: 0 },
        attempts: r?.attempts ?? attempts ?? 0,
        replayed,
      });
    } catch {
      // accounting must not break a call
    }
  }
}
