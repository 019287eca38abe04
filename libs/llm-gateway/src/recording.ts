/** Recording of LLM calls and replay from recordings. */
import { createHash } from 'node:crypto';
import type { RecordedError } from './errors';
import type { CallKey, LlmResponse, NormalizedRequest } from './types';

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

export function callKeyString(k: CallKey): string {
  return `${k.simulationId}/${k.agentId}/${k.seq}`;
}

/** JSON with object keys sorted; undefined members dropped (as JSON.stringify does). */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    const s = JSON.stringify(v);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stableStringify(x))).join(',')}]`;
  const keys = Object.keys(v as Record<string, unknown>)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function hashRequest(body: NormalizedRequest): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

function preview(v: unknown): string {
  const s = stableStringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Paths at which two JSON values differ (at most `limit`), e.g. `messages[3].content: recorded "a" vs now "b"`. */
export function diffValues(recorded: unknown, now: unknown, limit = 5, path = ''): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (out.length >= limit) return;
    if (a === b) return;
    const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
    if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
      if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) out.push(`${p || '(root)'}.length: recorded ${a.length} vs now ${b.length}`);
        for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${p}[${i}]`);
        return;
      }
      const ao = a as Record<string, unknown>;
      const bo = b as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
      for (const k of keys) walk(ao[k], bo[k], p ? `${p}.${k}` : k);
      return;
    }
    if (stableStringify(a) !== stableStringify(b)) out.push(`${p || '(root)'}: recorded ${preview(a)} vs now ${preview(b)}`);
  };
  walk(recorded, now, path);
  return out;
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
