import { EventMetadata } from '@swe-sim/contracts';
import { ExpectedVersion } from '@swe-sim/event-store';

export interface EventRecordOptions {
  /** Defaults to the stream the event type's contract names. */
  streamId?: string;
  expectedVersion?: ExpectedVersion;
  /** A caller-chosen id makes a retried emit idempotent. */
  eventId?: string;
  metadata?: Partial<EventMetadata>;
}

/** Data plus where and how to store it, for `client.emit(pattern, new EventRecord(data, options))`. */
export class EventRecord<T = unknown> {
  constructor(
    readonly data: T,
    readonly options: EventRecordOptions = {},
  ) {}
}

export function unwrapRecord(data: unknown): { data: unknown; options: EventRecordOptions } {
  return data instanceof EventRecord ? { data: data.data, options: data.options } : { data, options: {} };
}
