/** Recording of LLM calls and replay from recordings. */
import { createHash } from 'node:crypto';
import { stableStringify } from '@swe-sim/kit';
import { callKeyString, type CallKey } from './call-key';
import type { RecordedError } from './errors';
import type { LlmResponse, NormalizedRequest } from './types';

export interface RecordedRequest {
  /** sha256 of the stable JSON of `body`. */
  hash: string;
  body: NormalizedRequest;
}

export type RecordedOutcome = { status: 'completed'; response: LlmResponse } | { status: 'failed'; error: RecordedError };

export interface RecordedCall {
  key: CallKey;
  requestHash: string;
  /** The normalized request, if kept: lets a divergence name the field that differs. */
  request?: NormalizedRequest;
  /** Absent when the call was requested but never finished. */
  outcome?: RecordedOutcome;
  /** The store's global position of the outcome, when the source knows it (a fork takes answers recorded up to a position). */
  outcomePosition?: number;
  /**
   * Set by a source answering from another simulation's recording (a replay, a fork's shared
   * prefix): the gateway records the answer in the calling simulation too, marked `replayedFrom`.
   * `compare`: the whole request must be the same ('request'), or all of it but model and sampling
   * ('prompt' — a fork may change those). On a mismatch the gateway throws a divergence, or with
   * `onMismatch: 'live'` asks the LLM (a fork leaves the original's path there).
   */
  origin?: { simulationId: string; compare: 'request' | 'prompt'; onMismatch: 'throw' | 'live' };
}

/** Called by the gateway around every logical call (retries and the repair attempt are inside one call). */
export interface CallRecorder {
  requested(key: CallKey, request: RecordedRequest): void | Promise<void>;
  completed(key: CallKey, response: LlmResponse): void | Promise<void>;
  failed(key: CallKey, error: RecordedError): void | Promise<void>;
}

/** Where a replaying gateway takes its answers from. */
export interface ReplaySource {
  lookup(key: CallKey): RecordedCall | undefined | Promise<RecordedCall | undefined>;
}

export function hashRequest(body: NormalizedRequest): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

/** The request without model and sampling: what an agent was asked, whatever answered it. */
export function promptOf(body: NormalizedRequest): Omit<NormalizedRequest, 'model' | 'sampling'> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { model, sampling, ...prompt } = body;
  return prompt;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** In-memory recorder and replay source (tests; the event store provides the durable one). */
export class InMemoryCallStore implements CallRecorder, ReplaySource {
  private readonly calls = new Map<string, RecordedCall>();

  requested(key: CallKey, request: RecordedRequest): void {
    this.calls.set(callKeyString(key), { key: { ...key }, requestHash: request.hash, request: clone(request.body) });
  }

  completed(key: CallKey, response: LlmResponse): void {
    const c = this.require(key);
    c.outcome = { status: 'completed', response: clone(response) };
  }

  failed(key: CallKey, error: RecordedError): void {
    const c = this.require(key);
    c.outcome = { status: 'failed', error: clone(error) };
  }

  lookup(key: CallKey): RecordedCall | undefined {
    const c = this.calls.get(callKeyString(key));
    return c ? clone(c) : undefined;
  }

  /** Every recorded call, in insertion order. */
  all(): RecordedCall[] {
    return [...this.calls.values()].map(clone);
  }

  get size(): number {
    return this.calls.size;
  }

  /** Replace a recorded call (tests of divergence). */
  put(call: RecordedCall): void {
    this.calls.set(callKeyString(call.key), clone(call));
  }

  private require(key: CallKey): RecordedCall {
    const c = this.calls.get(callKeyString(key));
    if (!c) throw new Error(`InMemoryCallStore: ${callKeyString(key)} completed before being requested`);
    return c;
  }
}
