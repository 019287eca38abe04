import { Injectable } from '@nestjs/common';
import { EventData, LlmCallCompleted, LlmCallFailed, LlmCallRequested, llmCallEventId } from '@swe-sim/contracts';
import { Checkpoint, EventStore, StoredEvent } from '@swe-sim/event-store';
import { toHistoryEvent } from '../../history/history';
import { ChatExample, RecordedChatCall, toChatExample } from './chat-example';

type Requested = EventData<typeof LlmCallRequested>;
type Completed = EventData<typeof LlmCallCompleted>;
type CallKey = Requested['callKey'];

const PAGE = 500;
const LLM_TYPES = [LlmCallRequested.type, LlmCallCompleted.type, LlmCallFailed.type];

/** A body the gateway moved to the blob table is `{ blob: sha256 }`. */
const isBlobRef = (v: unknown): v is { blob: string } =>
  !!v && typeof v === 'object' && typeof (v as { blob?: unknown }).blob === 'string' && Object.keys(v).length === 1;

/** A retry after infrastructure failures (callKey.attempt) is a call of its own, with its own request. */
const keyOf = (k: CallKey) => `${k.agentId}\u0000${k.seq}\u0000${k.attempt ?? 0}`;

/**
 * A simulation's history as JSON lines, read page by page from the store in commit order (the
 * order of GET /simulations/:id/events) up to the end committed now: never the whole history in
 * memory.
 */
@Injectable()
export class SimulationExport {
  constructor(private readonly store: EventStore) {}

  /** Each event as GET /simulations/:id/events shows it. */
  async *events(simulationId: string): AsyncGenerator<string> {
    for await (const e of this.read(simulationId)) yield JSON.stringify(toHistoryEvent(e));
  }

  /**
   * One line per LLM call that completed, in the order they completed: the request's messages and
   * the answer (chat-example.ts). Requests wait in memory only until their outcome is read; a call
   * that failed, or has no outcome yet, gives no line.
   */
  async *chat(simulationId: string, options: { metadata: boolean }): AsyncGenerator<string> {
    for await (const example of this.chatExamples(simulationId, options)) yield JSON.stringify(example);
  }

  /** The examples of chat(), as objects (an experiment's export filters them on their metadata). */
  async *chatExamples(simulationId: string, options: { metadata: boolean }): AsyncGenerator<ChatExample> {
    const requested = new Map<string, Requested>();
    for await (const e of this.read(simulationId, LLM_TYPES)) {
      const key = (e.data as { callKey: CallKey }).callKey;
      if (e.type === LlmCallRequested.type) {
        requested.set(keyOf(key), e.data as Requested);
        continue;
      }
      const request = requested.get(keyOf(key)) ?? (await this.requestOf(key));
      requested.delete(keyOf(key));
      if (e.type !== LlmCallCompleted.type || !request) continue;
      yield toChatExample(await this.recordedCall(simulationId, request, e), options);
    }
  }

  private async *read(simulationId: string, types?: string[]): AsyncGenerator<StoredEvent> {
    let after: Checkpoint | undefined;
    for (;;) {
      const { events } = await this.store.readAll({ after, limit: PAGE, simulationId, types });
      yield* events;
      if (events.length < PAGE) return;
      const last = events[events.length - 1];
      after = { transactionId: last.transactionId, position: last.globalPosition };
    }
  }

  /** The request of a call whose outcome came first in the read (it never should: a fallback). */
  private async requestOf(key: CallKey): Promise<Requested | undefined> {
    return (await this.store.readEvent(llmCallEventId(key, 'requested')))?.data as Requested | undefined;
  }

  private async recordedCall(simulationId: string, request: Requested, completed: StoredEvent): Promise<RecordedChatCall> {
    const d = completed.data as Completed;
    const [body, message] = await Promise.all([this.resolve(request.request), this.resolve(d.message)]);
    return {
      simulationId,
      agentId: d.callKey.agentId,
      seq: d.callKey.seq,
      request: body as RecordedChatCall['request'],
      requestHash: d.requestHash,
      message: message as RecordedChatCall['message'],
      model: d.model,
      backend: d.backend,
      finishReason: d.finishReason,
      usage: d.usage,
      latencyMs: d.timings.latencyMs,
      attempts: d.attempts,
      repaired: d.repaired,
      toolCallsFromContent: d.toolCallsFromContent ?? false,
      position: completed.globalPosition,
      recordedAt: completed.metadata.recordedAt,
    };
  }

  /** An inline body as it is, or the JSON in the blob table behind a reference. */
  private async resolve(v: unknown): Promise<unknown> {
    if (!isBlobRef(v)) return v;
    const bytes = await this.store.getBlob(v.blob);
    if (!bytes) throw new Error(`blob ${v.blob} of a recorded LLM call is missing`);
    return JSON.parse(bytes.toString('utf8'));
  }
}
