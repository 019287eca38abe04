import { NotFoundException } from '@nestjs/common';
import { EventData, SimulationStarted, simulationStream } from '@swe-sim/contracts';
import { EventStore, StoredEvent } from '@swe-sim/event-store';
import { simulationEventPages } from '../simulation-state/simulation-history';

export type StartedData = EventData<typeof SimulationStarted>;

/** How a simulation started (its SimulationStarted), or 404 SIMULATION_NOT_FOUND. */
export async function originalSimulation(store: EventStore, simulationId: string): Promise<{ started: StartedData; position: number }> {
  const [first] = await store.readStream(simulationStream(simulationId), { toVersion: 1 });
  if (!first || first.type !== SimulationStarted.type) throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${simulationId} not found` });
  return { started: first.data as StartedData, position: first.globalPosition };
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
 */
export async function startReExecution(
  store: EventStore,
  original: StartedData,
  as: { simulationId: string; config?: StartedData['config'] } & ({ replayOf: { simulationId: string } } | { forkOf: { simulationId: string; atPosition: number } }),
): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { forkOf, replayOf, ...rest } = original;
  const started: StartedData = { ...rest, ...as, config: as.config ?? original.config };
  const r = await store.append(simulationStream(started.simulationId), [{ type: SimulationStarted.type, data: started }], {
    expectedVersion: 'no_stream',
    metadata: { simulationId: started.simulationId, actor: 'api' },
  });
  return r.events[0].globalPosition;
}
