import { BadRequestException, NotFoundException } from '@nestjs/common';
import { EventStore, Queryable, StoredEvent } from '@swe-sim/event-store';
import { HistoryEvent, rebuildSimulationState } from './simulation-state';

const PAGE = 5000;

/** A simulation's stored events after one position up to another, a page at a time. */
export async function* simulationEventPages(
  store: EventStore,
  simulationId: string,
  range: { afterPosition?: number; toPosition?: number } = {},
  db?: Queryable,
): AsyncGenerator<StoredEvent[]> {
  for (let after = range.afterPosition ?? 0; ; ) {
    const page = await store.readSimulation(simulationId, { afterPosition: after, toPosition: range.toPosition, limit: PAGE }, db);
    yield page;
    if (page.length < PAGE) return;
    after = page[page.length - 1].globalPosition;
  }
}

/** The same pages, as the state fold takes them. */
export async function* simulationHistoryPages(
  store: EventStore,
  simulationId: string,
  range: { afterPosition?: number; toPosition?: number },
  db?: Queryable,
): AsyncGenerator<HistoryEvent[]> {
  for await (const page of simulationEventPages(store, simulationId, range, db)) {
    yield page.map((e) => ({ type: e.type, data: e.data, globalPosition: e.globalPosition, recordedAt: e.metadata.recordedAt }));
  }
}

/**
 * A simulation's events up to a position, and its state folded from them from the start (for
 * reads that need the events themselves, like the workspace); a 404 for an unknown simulation, a
 * 400 naming `at` for a position before it started.
 */
export async function historyUpTo(store: EventStore, id: string, at: number | undefined) {
  const events: HistoryEvent[] = [];
  for await (const page of simulationHistoryPages(store, id, { toPosition: at })) events.push(...page);
  const state = rebuildSimulationState(events);
  return state ? { events, state } : noState(store, id, at);
}

/** Why a simulation has no state at a position: 400 naming `at` when it started later, else 404. */
export async function noState(store: EventStore, simulationId: string, at: number | undefined): Promise<never> {
  if (at !== undefined && (await store.readSimulation(simulationId, { limit: 1 })).length > 0) {
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `at: position ${at} is before the simulation started`, field: 'at' });
  }
  throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${simulationId} not found` });
}
