import type { Simulation, SimulationSummary } from '@swe-sim/api-client';

/** One row of the simulations list: the summary, plus progress and tokens once its details are known. */
export interface SimulationRow {
  simulationId: string;
  projectId: string;
  status: string;
  startedAt: string | null;
  progress: string;
  tokens: number | null;
  origin: string;
}

export const totalTokens = (sim: Pick<Simulation, 'metrics'>) =>
  Object.values(sim.metrics?.tokensByRole ?? {}).reduce((n, t) => n + t.prompt + t.completion, 0);

/** Where a simulation came from: a fork's or replay's original (a replay's `replayOf` is an object). */
export function originOf(sim: Partial<Pick<Simulation, 'forkOf' | 'replayOf'>>): string {
  if (sim.forkOf) return `fork of ${sim.forkOf.simulationId.slice(0, 8)} at ${sim.forkOf.atPosition}`;
  if (sim.replayOf) return `replay of ${String(sim.replayOf.simulationId ?? '').slice(0, 8)}`;
  return '';
}

export function simulationRow(summary: SimulationSummary, details?: Simulation): SimulationRow {
  const m = details?.metrics;
  return {
    simulationId: summary.simulationId,
    projectId: summary.projectId,
    // Whichever was read later says the status (the list is re-read every few seconds, details on events).
    status: details && details.updatedAt >= summary.updatedAt ? details.status : summary.status,
    startedAt: summary.startedAt,
    progress: m ? `${m.featuresDone}/${m.featuresTotal} features` : '',
    tokens: details ? totalTokens(details) : null,
    origin: details ? originOf(details) : '',
  };
}

/** Still moving: worth following live. */
export const isActive = (status: string) => !['completed', 'failed', 'cancelled'].includes(status);
