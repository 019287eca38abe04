/**
 * Recording of LLM calls as events in the event store, and replay from them.
 *
 * Stream `llm-<simulationId>-<agentId>`: per call an LlmCallRequested, then an LlmCallCompleted or
 * LlmCallFailed. Bodies over `inlineLimitBytes` (request, message, parsed value, error details) go to
 * the blob table and the event carries `{ blob: sha256 }`.
 *
 * Idempotence: event ids are derived from the call key (UUIDv5-style, sha1 of a namespace and the key),
 * one id for the request and one for the outcome (completed or failed share it). Recording the same
 * call again — a handler re-run after a crash — appends nothing: the unique event id refuses the copy.
 * A re-run that asks something different under the same key is a divergence and throws.
 */
import {
  EventMetadata,
  LlmCallCompleted,
  LlmCallFailed,
  LlmCallRequested,
  llmCallEventId,
  llmStream,
  type EventData,
  type BlobRef,
} from '@swe-sim/contracts';
import { DuplicateEventError, EventStore, StoredEvent, UUID_RE } from '@swe-sim/event-store';
import { LlmReplayDivergenceError, type LlmErrorCode, type RecordedError } from './errors';
import { diffValues } from '@swe-sim/kit';
import { callKeyString, type CallKey } from './call-key';
import type { CallRecorder, RecordedCall, RecordedRequest, ReplaySource } from './recording';
import type { LlmResponse, NormalizedRequest } from './types';

type RequestedData = EventData<typeof LlmCallRequested>;
type CompletedData = EventData<typeof LlmCallCompleted>;
type FailedData = EventData<typeof LlmCallFailed>;

/** The id derivation lives with the contracts (readers of the history find a call's events by it); re-exported here for existing callers. */
export { llmCallEventId };

export interface EventStoreRecordingOptions {
  store: EventStore;
  /** Bodies whose JSON is larger than this go to the blob table (default 4096 bytes). */
  inlineLimitBytes?: number;
  /** Metadata of the recorded events (actor, correlation, causation); simulationId is set from the key when it is a UUID. */
  metadata?: (key: CallKey) => Partial<EventMetadata>;
}

const DEFAULT_INLINE_LIMIT = 4096;

/** A CallRecorder that appends LlmCall* events (idempotent per call key). */
export class EventStoreCallRecorder implements CallRecorder {
  private readonly store: EventStore;
  private readonly limit: number;

  constructor(private readonly options: EventStoreRecordingOptions) {
    this.store = options.store;
    this.limit = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT;
  }

  async requested(key: CallKey, request: RecordedRequest): Promise<void> {
    const data: RequestedData = {
      callKey: { ...key },
      model: request.body.model,
      requestHash: request.hash,
      request: (await this.inlineOrBlob(request.body)) as RequestedData['request'],
    };
    const appended = await this.appendOnce(key, 'requested', LlmCallRequested.type, data);
    if (!appended) {
      // Already recorded (a re-run): it must be the same request, else the history has diverged.
      const existing = await this.store.readEvent(llmCallEventId(key, 'requested'));
      const recorded = existing?.data as RequestedData | undefined;
      if (recorded && recorded.requestHash !== request.hash) {
        const body = await resolveBody<NormalizedRequest>(this.store, recorded.request);
        const diffs = body ? diffValues(body, request.body) : [];
        throw new LlmReplayDivergenceError(key, [
          'this call key was already recorded with a different request',
          ...(diffs.length ? diffs : [`request hash recorded ${recorded.requestHash.slice(0, 12)} vs now ${request.hash.slice(0, 12)}`]),
        ]);
      }
    }
  }

  async completed(key: CallKey, response: LlmResponse): Promise<void> {
    const data: CompletedData = {
      callKey: { ...key },
      requestHash: response.requestHash,
      model: response.model,
      backend: response.backend,
      message: (await this.inlineOrBlob(response.message)) as CompletedData['message'],
      finishReason: response.finishReason,
      usage: { promptTokens: response.usage.promptTokens, completionTokens: response.usage.completionTokens },
      timings: { queueMs: response.timings.queueMs, latencyMs: response.timings.latencyMs },
      attempts: response.attempts,
      repaired: response.repaired,
    };
    if (response.timings.serverMs !== undefined) data.timings.serverMs = response.timings.serverMs;
    if (response.toolCallsFromContent) data.toolCallsFromContent = true;
    if (response.replayedFrom) data.replayedFrom = response.replayedFrom;
    if ('parsed' in response) data.parsed = await this.valueOrBlob(response.parsed);
    await this.appendOnce(key, 'outcome', LlmCallCompleted.type, data);
  }

  async failed(key: CallKey, error: RecordedError): Promise<void> {
    const requestHash = await this.requestHashOf(key);
    const err: FailedData['error'] = { code: error.code, message: error.message };
    if (error.status !== undefined) err.status = error.status;
    if (error.backend !== undefined) err.backend = error.backend;
    if (error.details !== undefined) err.details = await this.valueOrBlob(error.details);
    const data: FailedData = { callKey: { ...key }, requestHash, error: err, attempts: error.attempts ?? 0 };
    if (error.replayedFrom) data.replayedFrom = error.replayedFrom;
    await this.appendOnce(key, 'outcome', LlmCallFailed.type, data);
  }

  /** The recorded request hash of a call (failed() is not given it). */
  private async requestHashOf(key: CallKey): Promise<string> {
    const ev = await this.store.readEvent(llmCallEventId(key, 'requested'));
    const hash = (ev?.data as RequestedData | undefined)?.requestHash;
    if (!hash) throw new Error(`EventStoreCallRecorder: ${callKeyString(key)} failed before being requested`);
    return hash;
  }

  /** Appends one event with the call's deterministic id; false when it was already there. */
  private async appendOnce(key: CallKey, part: 'requested' | 'outcome', type: string, data: unknown): Promise<boolean> {
    const metadata: Partial<EventMetadata> = {
      simulationId: UUID_RE.test(key.simulationId) ? key.simulationId.toLowerCase() : null,
      correlationId: `llm:${callKeyString(key)}`,
      ...this.options.metadata?.(key),
    };
    try {
      await this.store.append(llmStream(key.simulationId, key.agentId), [{ type, data, id: llmCallEventId(key, part), metadata }]);
      return true;
    } catch (e) {
      if (e instanceof DuplicateEventError) return false;
      throw e;
    }
  }

  private async inlineOrBlob(value: unknown): Promise<unknown> {
    const json = JSON.stringify(value);
    if (Buffer.byteLength(json, 'utf8') <= this.limit) return JSON.parse(json);
    return { blob: await this.store.putBlob(json) } satisfies BlobRef;
  }

  private async valueOrBlob<T>(value: T): Promise<{ value: T } | BlobRef> {
    const json = JSON.stringify(value === undefined ? null : value);
    if (Buffer.byteLength(json, 'utf8') <= this.limit) return { value: JSON.parse(json) as T };
    return { blob: await this.store.putBlob(json) };
  }
}

function isBlobRef(v: unknown): v is BlobRef {
  return !!v && typeof v === 'object' && typeof (v as BlobRef).blob === 'string' && Object.keys(v as object).length === 1;
}

/** An inline body as is, or the JSON behind a blob reference (undefined when the blob is missing). */
async function resolveBody<T>(store: EventStore, v: unknown): Promise<T | undefined> {
  if (!isBlobRef(v)) return v as T;
  const bytes = await store.getBlob(v.blob);
  return bytes ? (JSON.parse(bytes.toString('utf8')) as T) : undefined;
}

/** `{ value }` as the value, or the JSON behind a blob reference. */
async function resolveValue<T>(store: EventStore, v: { value: T } | BlobRef | undefined): Promise<T | undefined> {
  if (v === undefined) return undefined;
  if (isBlobRef(v)) return resolveBody<T>(store, v);
  return v.value;
}

const entryKey = (k: CallKey) => (k.attempt ? `${k.seq}#${k.attempt}` : String(k.seq));

interface StreamCache {
  version: number;
  /** By `seq` or `seq#attempt` (a retry after infrastructure failures is a call of its own). */
  calls: Map<string, { requested?: StoredEvent; outcome?: StoredEvent }>;
}

/**
 * A ReplaySource over the recorded calls in the event store: a call is matched by
 * (simulation, agent, seq) and its recorded outcome returned; the gateway compares the request hash
 * and throws LlmReplayDivergenceError at the first call that differs. Each (simulation, agent) stream is
 * read once and then only its new events, so it also serves a resumed or forked run that records as it goes.
 */
export class EventStoreReplaySource implements ReplaySource {
  private readonly streams = new Map<string, StreamCache>();

  constructor(private readonly options: { store: EventStore }) {}

  async lookup(key: CallKey): Promise<RecordedCall | undefined> {
    const streamId = llmStream(key.simulationId, key.agentId);
    let cache = this.streams.get(streamId);
    let entry = cache?.calls.get(entryKey(key));
    if (!cache || !entry?.outcome) {
      cache = await this.refresh(streamId, cache);
      entry = cache.calls.get(entryKey(key));
    }
    if (!entry?.requested) return undefined;
    return this.toRecordedCall(key, entry.requested, entry.outcome);
  }

  /** Every recorded call of one agent in a simulation, in (seq, attempt) order (outcomes resolved). */
  async calls(simulationId: string, agentId: string): Promise<RecordedCall[]> {
    const cache = await this.refresh(llmStream(simulationId, agentId), this.streams.get(llmStream(simulationId, agentId)));
    const keys = [...cache.calls.values()].filter((e) => e.requested).map((e) => ({ e, key: (e.requested!.data as { callKey: CallKey }).callKey }));
    keys.sort((a, b) => a.key.seq - b.key.seq || (a.key.attempt ?? 0) - (b.key.attempt ?? 0));
    const out: RecordedCall[] = [];
    for (const { e, key } of keys) out.push(await this.toRecordedCall({ ...key, simulationId, agentId }, e.requested!, e.outcome));
    return out;
  }

  private async refresh(streamId: string, cache: StreamCache | undefined): Promise<StreamCache> {
    const c: StreamCache = cache ?? { version: 0, calls: new Map() };
    const events = await this.options.store.readStream(streamId, { fromVersion: c.version + 1 });
    for (const ev of events) {
      c.version = ev.streamVersion;
      const callKey = (ev.data as { callKey?: CallKey }).callKey;
      if (callKey?.seq === undefined) continue;
      const id = entryKey(callKey);
      const entry = c.calls.get(id) ?? {};
      if (ev.type === LlmCallRequested.type) entry.requested ??= ev;
      else if (ev.type === LlmCallCompleted.type || ev.type === LlmCallFailed.type) entry.outcome ??= ev;
      c.calls.set(id, entry);
    }
    this.streams.set(streamId, c);
    return c;
  }

  private async toRecordedCall(key: CallKey, requested: StoredEvent, outcome: StoredEvent | undefined): Promise<RecordedCall> {
    const store = this.options.store;
    const req = requested.data as RequestedData;
    const call: RecordedCall = { key: { ...key }, requestHash: req.requestHash };
    const body = await resolveBody<NormalizedRequest>(store, req.request);
    if (body) call.request = body;
    if (!outcome) return call;
    call.outcomePosition = outcome.globalPosition;
    if (outcome.type === LlmCallCompleted.type) {
      const d = outcome.data as CompletedData;
      const message = await resolveBody<LlmResponse['message']>(store, d.message);
      if (!message) throw new Error(`EventStoreReplaySource: the message blob of ${callKeyString(key)} is missing`);
      const response: LlmResponse = {
        message: { content: message.content, tool_calls: message.tool_calls.map((t) => ({ ...t })) },
        finishReason: d.finishReason,
        usage: { ...d.usage },
        timings: { ...d.timings },
        backend: d.backend,
        model: d.model,
        attempts: d.attempts,
        repaired: d.repaired,
        toolCallsFromContent: d.toolCallsFromContent ?? false,
        callKey: { ...key },
        requestHash: d.requestHash,
      };
      if (d.parsed !== undefined) response.parsed = await resolveValue(store, d.parsed as { value: unknown } | BlobRef);
      call.outcome = { status: 'completed', response };
    } else {
      const d = outcome.data as FailedData;
      const error: RecordedError = { code: d.error.code as LlmErrorCode, message: d.error.message, attempts: d.attempts };
      if (d.error.status !== undefined) error.status = d.error.status;
      if (d.error.backend !== undefined) error.backend = d.error.backend;
      if (d.error.details !== undefined) error.details = await resolveValue(store, d.error.details as { value: Record<string, unknown> } | BlobRef);
      call.outcome = { status: 'failed', error };
    }
    return call;
  }
}

