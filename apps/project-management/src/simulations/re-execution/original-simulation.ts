import { BadRequestException, NotFoundException } from '@nestjs/common';
import { EventData, SimulationQueued, SimulationStarted, simulationQueueStream, simulationStream } from '@swe-sim/contracts';
import { EventStore, Queryable, StoredEvent } from '@swe-sim/event-store';
import { simulationEventPages } from '../simulation-state/simulation-history';

export type StartedData = EventData<typeof SimulationStarted>;

/**
 * How a simulation started (its SimulationStarted) — or, while it waits in the queue, how it will
 * (the start its SimulationQueued holds, at that event's position) — or 404 SIMULATION_NOT_FOUND.
 */
export async function originalSimulation(store: EventStore, simulationId: string, db?: Queryable): Promise<{ started: StartedData; position: number }> {
  const [first] = await store.readStream(simulationStream(simulationId), { toVersion: 1 }, db);
  if (first?.type === SimulationStarted.type) return { started: first.data as StartedData, position: first.globalPosition };
  const [queued] = first ? [] : await store.readStream(simulationQueueStream(simulationId), { toVersion: 1 }, db);
  const start = (queued?.data as EventData<typeof SimulationQueued> | undefined)?.start;
  if (!start) throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${simulationId} not found` });
  return { started: start, position: queued.globalPosition };
}

/**
 * The original of a fork at `atPosition`, once the cut is known to be inside its history (at or
 * after its start, at or before its last event); else 400 naming `field`.
 */
export async function originalAtCut(store: EventStore, simulationId: string, atPosition: number, field: string, db?: Queryable): Promise<StartedData> {
  const { started, position: startedAt } = await originalSimulation(store, simulationId, db);
  const [atOrAfter] = await store.readSimulation(simulationId, { afterPosition: atPosition - 1, limit: 1 }, db);
  if (atPosition < startedAt || !atOrAfter) {
    throw new BadRequestException({
      code: 'VALIDATION_FAILED',
      field,
      message: `${field} ${atPosition} is outside simulation ${simulationId}'s history (it starts at position ${startedAt}; GET /simulations/${simulationId}/events gives the positions)`,
    });
  }
  return started;
}

/** A simulation's whole history in position order. */
export async function wholeHistory(store: EventStore, simulationId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const page of simulationEventPages(store, simulationId)) out.push(...page);
  return out;
}

/**
 * Starts a re-execution of a simulation under a new id: its project snapshot and configuration
 * (or `config`), marked as the replay or fork it is — never carrying the original's own origin.
 * Returns the position of its request (SimulationQueued). `by`: the transaction to queue it in and
 * its actor (an experiment's subscription), by default the pool and the API.
 */
export async function startReExecution(
  store: EventStore,
  original: StartedData,
  as: { simulationId: string; config?: StartedData['config'] } & ({ replayOf: { simulationId: string } } | { forkOf: { simulationId: string; atPosition: number } }),
  by: { db?: Queryable; actor?: string } = {},
): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { forkOf, replayOf, ...rest } = original;
  const started: StartedData = { ...rest, ...as, config: as.config ?? original.config };
  // Through the queue like any start: a re-execution runs every service as the original did.
  const queued: EventData<typeof SimulationQueued> = { simulationId: started.simulationId, projectId: started.project.projectId, start: started };
  const r = await store.append(simulationQueueStream(started.simulationId), [{ type: SimulationQueued.type, data: queued }], {
    expectedVersion: 'no_stream',
    metadata: { simulationId: null, actor: by.actor ?? 'api' },
  }, by.db);
  return r.events[0].globalPosition;
}
