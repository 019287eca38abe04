import { SimulationContext } from '../context/simulation-context.repository';

/**
 * The simulation a replay or a fork re-executes. A replay takes every LLM answer and sandbox
 * result from the original's recording (anything else is a divergence); a fork takes those the
 * original had recorded by `atPosition` — while its requests are the same — and is live after.
 */
export interface SimulationOrigin {
  simulationId: string;
  mode: 'replay' | 'fork';
  /** The last position of the original's history a fork shares; null for a replay (all of it). */
  atPosition: number | null;
}

export function originOf(sim: Pick<SimulationContext, 'forkOf' | 'replayOf'>): SimulationOrigin | null {
  if (sim.replayOf) return { simulationId: sim.replayOf.simulationId, mode: 'replay', atPosition: null };
  if (sim.forkOf) return { simulationId: sim.forkOf.simulationId, mode: 'fork', atPosition: sim.forkOf.atPosition };
  return null;
}

/** Whether something the original recorded at `position` is inside what the replay or fork shares. */
export const sharedByOrigin = (origin: SimulationOrigin, position: number) => origin.atPosition === null || position <= origin.atPosition;

/** Re-executions nest (a replay of a fork of a fork…); deeper than this is refused as a loop. */
const MAX_DEPTH = 32;

/**
 * A simulation's origins, nearest first: `[0]` what it re-executes, `[1]` what that one
 * re-executed, … (empty for a simulation of its own). `load` reads a simulation's SimulationStarted.
 */
export async function originChain(sim: SimulationContext, load: (simulationId: string) => Promise<SimulationContext | null>): Promise<SimulationOrigin[]> {
  const chain: SimulationOrigin[] = [];
  for (let origin = originOf(sim); origin; ) {
    if (chain.length >= MAX_DEPTH) throw new Error(`simulation ${sim.simulationId}: more than ${MAX_DEPTH} nested re-executions`);
    chain.push(origin);
    const next = await load(origin.simulationId);
    if (!next) throw new Error(`simulation ${origin.simulationId}, which ${sim.simulationId} re-executes, is not known here`);
    origin = originOf(next);
  }
  return chain;
}
