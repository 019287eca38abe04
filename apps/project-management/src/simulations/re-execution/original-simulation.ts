import { NotFoundException } from '@nestjs/common';
import { EventData, SimulationStarted, simulationStream } from '@swe-sim/contracts';
import { EventStore, StoredEvent } from '@swe-sim/event-store';

export type StartedData = EventData<typeof SimulationStarted>;

/** How a simulation started (its SimulationStarted), or 404 SIMULATION_NOT_FOUND. */
export async function originalSimulation(store: EventStore, simulationId: string): Promise<{ started: StartedData; position: number }> {
  const [first] = await store.readStream(simulationStream(simulationId), { toVersion: 1 });
  if (!first || first.type !== SimulationStarted.type) throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${simulationId} not found` });
  return { started: first.data as StartedData, position: first.globalPosition };
}

/** A simulation's whole history in position order, read in pages. */
export async function wholeHistory(store: EventStore, simulationId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let after = 0; ; ) {
    const page = await store.readSimulation(simulationId, { afterPosition: after, limit: 5_000 });
    out.push(...page);
    if (page.length < 5_000) return out;
    after = page[page.length - 1].globalPosition;
  }
}

/** Starts a re-execution of `started`'s simulation under a new id (a replay or a fork). */
export async function startReExecution(store: EventStore, started: StartedData): Promise<number> {
  const r = await store.append(simulationStream(started.simulationId), [{ type: SimulationStarted.type, data: started }], {
    expectedVersion: 'no_stream',
    metadata: { simulationId: started.simulationId, actor: 'api' },
  });
  return r.events[0].globalPosition;
}
