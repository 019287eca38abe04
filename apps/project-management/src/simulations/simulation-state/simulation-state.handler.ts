import { Inject, Injectable, Optional } from '@nestjs/common';
import { EventStore, StructuredLogger } from '@swe-sim/event-store';
import { LOGGER } from '@swe-sim/service-runtime';
import { SIMULATION_STATE_FOLD_VERSION, SimulationState, SimulationStateView, evolve, initialSimulationState, present } from './simulation-state';
import { noState, simulationHistoryPages } from './simulation-history';
import { SimulationStateSnapshotsRepository } from './simulation-state-snapshots.repository';

/** How many of a simulation's events apart its state snapshots are. */
export const STATE_SNAPSHOT_EVERY = Symbol('STATE_SNAPSHOT_EVERY');
const DEFAULT_SNAPSHOT_EVERY = 5000;

/**
 * A simulation's state at a position: the nearest snapshot at or before it, then the events after
 * the snapshot folded on. Snapshots are made by reads: a read that folds past a multiple of
 * `every` events stores the state there (once its events can no longer change, see below), so the
 * first read of a long history pays for a fold from the start and the next ones do not.
 */
@Injectable()
export class SimulationStateHandler {
  readonly every: number;

  constructor(
    private readonly store: EventStore,
    private readonly snapshots: SimulationStateSnapshotsRepository,
    @Inject(LOGGER) private readonly logger: StructuredLogger,
    @Optional() @Inject(STATE_SNAPSHOT_EVERY) every?: number,
  ) {
    this.every = every ?? DEFAULT_SNAPSHOT_EVERY;
  }

  /** The state at `at` (default: now); 404 for an unknown simulation, 400 naming `at` before it started. */
  async execute(simulationId: string, at: number | undefined, options: { snapshots?: boolean } = {}): Promise<SimulationStateView> {
    const { state, reached, visibility } = await this.fold(simulationId, at, options.snapshots ?? true);
    if (!state) return noState(this.store, simulationId, at);
    if (reached.length > 0) {
      // A snapshot not stored costs a later read a longer fold, never a wrong answer: the read stands.
      await this.keep(simulationId, reached, visibility).catch((err) =>
        this.logger.warn('state snapshots not stored', { simulationId, error: (err as Error).message }),
      );
    }
    return present(state);
  }

  /**
   * In one consistent read, so the snapshot and every page see the same events; its MVCC snapshot
   * says later whether those were all the events up to a position.
   */
  private async fold(simulationId: string, at: number | undefined, useSnapshots: boolean) {
    return this.store.consistentRead(async (tx, visibility) => {
      const from = useSnapshots ? await this.snapshots.nearest(tx, simulationId, SIMULATION_STATE_FOLD_VERSION, at ?? Number.MAX_SAFE_INTEGER) : null;
      let state: SimulationState | null = from?.state ?? initialSimulationState;
      // States at multiples of `every` events not stored yet (evolve copies, so each stays as it was).
      const reached: SimulationState[] = [];
      for await (const page of simulationHistoryPages(this.store, simulationId, { afterPosition: from?.position, toPosition: at }, tx)) {
        for (const e of page) {
          state = evolve(state, e);
          if (useSnapshots && state && state.events % this.every === 0) reached.push(state);
        }
      }
      return { state, reached, visibility };
    });
  }

  /**
   * Stores the states reached — only when no event up to the last of them can still appear (a
   * transaction that was open during the read may commit one below it later); otherwise a later
   * read stores them. Idempotent: a snapshot already there stays.
   */
  private async keep(simulationId: string, reached: SimulationState[], visibility: string): Promise<void> {
    const complete = await this.store.completeUpTo(visibility, simulationId, reached[reached.length - 1].position);
    if (complete) await this.snapshots.save(simulationId, SIMULATION_STATE_FOLD_VERSION, reached);
  }
}
