import { EventMetadata } from '@swe-sim/contracts';

/**
 * What the caller may expect of a stream before appending:
 * 'any' (no check), 'no_stream' (must not exist yet), 'exists', or the exact current version.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'exists' | number;

export interface NewEvent<TData = unknown> {
  type: string;
  data: TData;
  /** A caller-chosen id makes a retried append idempotent (the unique index refuses the copy). */
  id?: string;
  metadata?: Partial<EventMetadata>;
}

export interface StoredEvent<TData = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  data: TData;
  metadata: EventMetadata;
  streamId: string;
  streamVersion: number;
  globalPosition: number;
  /** xid8 of the appending transaction, as a decimal string. */
  transactionId: string;
}

/** A point in commit order: everything at or before (transactionId, position) has been read. */
export interface Checkpoint {
  transactionId: string;
  position: number;
}

/** Metadata of what an event causes: its simulation and correlation, caused by it (and written by `actor`). */
export function causedBy(event: StoredEvent, actor?: string): Partial<EventMetadata> {
  const metadata = { simulationId: event.metadata.simulationId, correlationId: event.metadata.correlationId, causationId: event.id };
  return actor === undefined ? metadata : { ...metadata, actor };
}

export const START: Checkpoint = Object.freeze({ transactionId: '0', position: 0 });

export interface AppendResult {
  /** The stream's version after the append (its number of events). */
  nextVersion: number;
  events: StoredEvent[];
}

/**
 * An event exactly as another installation recorded it (its id, stream, version, schema version,
 * data and metadata), to be written as it is: the history is copied, not re-decided.
 */
export interface RecordedEvent {
  id: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}
