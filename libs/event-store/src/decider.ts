import { EventMetadata } from '@swe-sim/contracts';
import { EventStore, Queryable } from './event-store';
import { AppendResult } from './types';

/** An aggregate's behaviour as pure functions; time and randomness come in through the command. */
export interface Decider<Command, Event extends { type: string; data: unknown }, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

/** Replay is a fold. */
export const fold = <E extends { type: string; data: unknown }, S>(decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>, events: readonly E[]) =>
  events.reduce(decider.evolve, decider.initialState);

/**
 * Load → decide → append with the version read, so two concurrent commands on one stream cannot
 * both succeed (the loser gets a ConcurrencyError and may retry on fresh state).
 */
export async function handleCommand<Command, Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: { metadata?: Partial<EventMetadata>; db?: Queryable } = {},
): Promise<AppendResult & { newState: State; events: AppendResult['events'] }> {
  const history = await store.readStream(streamId, {}, options.db);
  const state = fold(decider, history as unknown as Event[]);
  const decided = decider.decide(command, state);
  if (decided.length === 0) return { nextVersion: history.length, events: [], newState: state };
  const result = await store.append(streamId, decided, { expectedVersion: history.length, metadata: options.metadata }, options.db);
  return { ...result, newState: decided.reduce(decider.evolve, state) };
}
