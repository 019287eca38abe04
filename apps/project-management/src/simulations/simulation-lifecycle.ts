import { Injectable } from '@nestjs/common';
import { EventMetadata, SimulationQueued, simulationQueueStream, simulationStream } from '@swe-sim/contracts';
import { AppendResult, ConcurrencyError, EventStore, ExpectedVersion, NewEvent, Queryable, StoredEvent } from '@swe-sim/event-store';
import { LifecycleCommand, LifecycleEvent, LifecycleState, lifecycleDecider } from './simulation-lifecycle.decider';

export type Append = (streamId: string, events: readonly NewEvent[], options: { expectedVersion: ExpectedVersion; metadata?: Partial<EventMetadata> }) => Promise<AppendResult>;

/** Who runs a lifecycle command, when not a request of the API: a handler's transaction and append. */
export interface LifecycleBy {
  db?: Queryable;
  append?: Append;
  actor?: string;
}

/**
 * Runs lifecycle commands: folds the simulation's queue and simulation streams, decides, and
 * appends to the stream the decision belongs to at the version read — so two concurrent commands
 * (two resumes; a cancel and the start of a queued simulation) cannot both be recorded: the loser
 * decides again on what the winner recorded.
 */
@Injectable()
export class SimulationLifecycle {
  constructor(private readonly store: EventStore) {}

  /**
   * `requestedAt`: the position of the last request for a slot (SimulationQueued), for first come,
   * first served; `requestedBy`: its actor and correlation, which what admits it carries on.
   */
  async load(
    simulationId: string,
    db?: Queryable,
  ): Promise<{ state: LifecycleState; simulationVersion: number; queueVersion: number; requestedAt: number; requestedBy: Partial<EventMetadata> }> {
    // One after the other: `db` may be one client (a transaction), which runs one query at a time.
    const queue = await this.store.readStream(simulationQueueStream(simulationId), {}, db);
    const simulation = await this.store.readStream(simulationStream(simulationId), {}, db);
    const events = [...queue, ...simulation].sort((a, b) => a.globalPosition - b.globalPosition) as unknown as LifecycleEvent[];
    return {
      state: events.reduce(lifecycleDecider.evolve, lifecycleDecider.initialState),
      simulationVersion: simulation.length,
      queueVersion: queue.length,
      requestedAt: queue[queue.length - 1]?.globalPosition ?? simulation[0]?.globalPosition ?? 0,
      requestedBy: queue.length ? { actor: queue[queue.length - 1].metadata.actor, correlationId: queue[queue.length - 1].metadata.correlationId } : {},
    };
  }

  /**
   * `db`: a transaction to read in (the admission's); `append`: how to append there (a handler's
   * context, for causation). By default the pool and the store, as an API request does.
   */
  async execute(
    command: LifecycleCommand,
    options: { db?: Queryable; append?: Append; metadata?: Partial<EventMetadata> } = {},
  ): Promise<{ state: LifecycleState; events: StoredEvent[] }> {
    const append: Append = options.append ?? ((streamId, events, o) => this.store.append(streamId, events, o, options.db));
    for (let attempt = 0; ; attempt++) {
      const { state, simulationVersion, queueVersion, requestedBy } = await this.load(command.simulationId, options.db);
      const decided = lifecycleDecider.decide(command, state);
      if (decided.length === 0) return { state, events: [] };
      // One decision is one event, and one stream: the queue's for a request, the simulation's for the rest.
      const queued = decided[0].type === SimulationQueued.type;
      const streamId = queued ? simulationQueueStream(command.simulationId) : simulationStream(command.simulationId);
      const version = queued ? queueVersion : simulationVersion;
      try {
        const r = await append(streamId, decided, {
          expectedVersion: version === 0 ? 'no_stream' : version,
          // Waiting is not part of a simulation's history: queue events carry no simulation (see SimulationQueued).
          // An admitted start or resume is the request's (who asked for it, its correlation), recorded now.
          metadata: { ...options.metadata, ...(command.type === 'AdmitSimulation' ? requestedBy : {}), simulationId: queued ? null : command.simulationId },
        });
        return { state: decided.reduce(lifecycleDecider.evolve, state), events: r.events };
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= 5) throw err; // moved on meanwhile: decide again
      }
    }
  }
}
