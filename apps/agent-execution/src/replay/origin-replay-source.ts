import { EventStore } from '@swe-sim/event-store';
import { CallKey, EventStoreReplaySource, RecordedCall, ReplaySource } from '@swe-sim/llm-gateway';
import { SimulationContextRepository } from '../context/simulation-context.repository';
import { SimulationOrigin, originOf, sharedByOrigin } from './simulation-origin';

/** Origins are facts of SimulationStarted (never change): a small cache saves a query per call. */
const ORIGIN_CACHE_SIZE = 1_000;

/**
 * The gateway's answers that need no LLM: a call this simulation already recorded (a re-run after
 * a crash), else — in a replay or a fork — the original's answer to the same call (same agent and
 * seq, recorded inside what is shared), which the gateway checks against the request and records
 * here as replayed. In a replay a call with no recording is a divergence; otherwise it goes live.
 */
export class OriginReplaySource implements ReplaySource {
  private readonly origins = new Map<string, SimulationOrigin | null>();

  constructor(
    private readonly store: EventStore,
    private readonly simulations: SimulationContextRepository,
  ) {}

  async lookup(key: CallKey): Promise<RecordedCall | undefined> {
    // A fresh source per lookup: nothing cached, so memory stays flat over weeks of simulations.
    const source = new EventStoreReplaySource({ store: this.store });
    const own = await source.lookup(key);
    if (own?.outcome) return own;
    const origin = await this.originOf(key.simulationId);
    if (!origin) return own;
    const recorded = await source.lookup({ ...key, simulationId: origin.simulationId });
    if (!recorded?.outcome || recorded.outcomePosition === undefined || !sharedByOrigin(origin, recorded.outcomePosition)) return own;
    return {
      ...recorded,
      origin:
        origin.mode === 'replay'
          ? { simulationId: origin.simulationId, compare: 'request', onMismatch: 'throw' }
          : { simulationId: origin.simulationId, compare: 'prompt', onMismatch: 'live' },
    };
  }

  /** In a replay a call the original never made is a divergence; anywhere else it goes to the LLM. */
  async onMissing(key: CallKey): Promise<'throw' | 'live'> {
    return (await this.originOf(key.simulationId))?.mode === 'replay' ? 'throw' : 'live';
  }

  private async originOf(simulationId: string): Promise<SimulationOrigin | null> {
    if (this.origins.has(simulationId)) return this.origins.get(simulationId)!;
    const sim = await this.simulations.simulation(simulationId);
    const origin = sim ? originOf(sim) : null;
    // An unknown simulation (a project's product manager, a call before the context is saved) is not cached.
    if (!sim) return origin;
    if (this.origins.size >= ORIGIN_CACHE_SIZE) this.origins.delete(this.origins.keys().next().value!);
    this.origins.set(simulationId, origin);
    return origin;
  }
}
