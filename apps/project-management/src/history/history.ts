import { Injectable, NotFoundException } from '@nestjs/common';
import { simulationQueueStream, simulationStream } from '@swe-sim/contracts';
import { Checkpoint, EventStore, StoredEvent } from '@swe-sim/event-store';
import { assertNotBeyond, encodeEventCursor, laterCheckpoint } from '../api/cursor';

/** One event as the API shows it. */
export interface HistoryEvent {
  eventId: string;
  position: number;
  type: string;
  schemaVersion: number;
  streamId: string;
  streamVersion: number;
  data: unknown;
  metadata: unknown;
}

export interface HistoryPage {
  items: HistoryEvent[];
  /** Where to continue (never null: the log goes on; a page with fewer than `limit` events is the end for now). */
  nextCursor: string;
}

export const toHistoryEvent = (e: StoredEvent): HistoryEvent => ({
  eventId: e.id,
  position: e.globalPosition,
  type: e.type,
  schemaVersion: e.schemaVersion,
  streamId: e.streamId,
  streamVersion: e.streamVersion,
  data: e.data,
  metadata: e.metadata,
});

/** Pages of the log in commit-safe order (libs/event-store readAll), with checkpoints as opaque cursors. */
@Injectable()
export class History {
  constructor(private readonly store: EventStore) {}

  /** 404 SIMULATION_NOT_FOUND for a simulation that was never asked for (one waiting in the queue exists: its history is empty until it starts). */
  async assertSimulationExists(simulationId: string): Promise<void> {
    const exists = async (streamId: string) => (await this.store.streamVersion(streamId)) !== null;
    if (!(await exists(simulationStream(simulationId))) && !(await exists(simulationQueueStream(simulationId)))) {
      throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${simulationId} not found` });
    }
  }

  /** A page, its next checkpoint, and each event's own cursor (the SSE ids). */
  async page(options: { after?: Checkpoint; limit: number; simulationId?: string; cursorField?: string }): Promise<HistoryPage & { next: Checkpoint; cursors: string[] }> {
    const { events, horizon } = await this.store.readAll({ after: options.after, limit: options.limit, simulationId: options.simulationId });
    assertNotBeyond(options.after, horizon, options.cursorField);
    const last = events[events.length - 1];
    let next: Checkpoint = last ? { transactionId: last.transactionId, position: last.globalPosition } : options.after ?? { transactionId: '0', position: 0 };
    // A short page read everything committed below the horizon: nothing older can still appear.
    if (events.length < options.limit) next = laterCheckpoint(next, { transactionId: horizon, position: 0 });
    return {
      items: events.map(toHistoryEvent),
      nextCursor: encodeEventCursor(next),
      next,
      cursors: events.map((e) => encodeEventCursor({ transactionId: e.transactionId, position: e.globalPosition })),
    };
  }
}
