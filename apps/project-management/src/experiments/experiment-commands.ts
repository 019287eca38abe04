import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { EventMetadata, experimentStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore, Queryable, StoredEvent, fold } from '@swe-sim/event-store';
import {
  ExperimentCommand,
  ExperimentEvent,
  ExperimentExistsError,
  ExperimentExtensionError,
  ExperimentNotFoundError,
  ExperimentState,
  ExperimentStatusError,
  experimentDecider,
} from './experiment.decider';
import { Append } from '../simulations/simulation-lifecycle';

/**
 * Runs experiment commands: folds the experiment's stream, decides, appends at the version read —
 * so of two concurrent commands the loser decides again on what the winner recorded.
 */
@Injectable()
export class ExperimentCommands {
  constructor(private readonly store: EventStore) {}

  async load(experimentId: string, db?: Queryable): Promise<{ state: ExperimentState; version: number }> {
    const events = await this.store.readStream(experimentStream(experimentId), {}, db);
    return { state: fold(experimentDecider, events as unknown as ExperimentEvent[]), version: events.length };
  }

  /** `db`/`append`: a handler's transaction (the process manager's), by default the pool (the API). */
  async execute(
    experimentId: string,
    command: ExperimentCommand,
    options: { db?: Queryable; append?: Append; metadata?: Partial<EventMetadata> } = {},
  ): Promise<{ state: ExperimentState; events: StoredEvent[] }> {
    const append: Append = options.append ?? ((streamId, events, o) => this.store.append(streamId, events, o, options.db));
    for (let attempt = 0; ; attempt++) {
      const { state, version } = await this.load(experimentId, options.db);
      const decided = experimentDecider.decide(command, state);
      if (decided.length === 0) return { state, events: [] };
      try {
        const r = await append(experimentStream(experimentId), decided, { expectedVersion: version === 0 ? 'no_stream' : version, metadata: options.metadata });
        return { state: decided.reduce(experimentDecider.evolve, state), events: r.events };
      } catch (err) {
        // Inside a transaction a conflict aborts it: the handler runs again as a whole.
        if (!(err instanceof ConcurrencyError) || options.db || attempt >= 5) throw err;
      }
    }
  }
}

/** The API's answer to a refused experiment command. */
export function experimentHttpError(err: unknown): unknown {
  if (err instanceof ExperimentNotFoundError) return new NotFoundException({ code: err.code, message: err.message });
  if (err instanceof ExperimentExistsError || err instanceof ExperimentStatusError) return new ConflictException({ code: err.code, message: err.message, ...err.details });
  if (err instanceof ExperimentExtensionError) return new BadRequestException({ code: err.code, message: err.message, field: err.details?.field });
  return err;
}
