import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { EventData, SimulationReplayCompared, simulationStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { originalSimulation, startReExecution } from '../re-execution/original-simulation';
import { SimulationsRepository } from '../simulations.repository';

export const replayBodySchema = z
  .object({
    /** How long to wait for the verdict before answering 202 with the replay's id (it goes on). */
    waitMs: z.number().int().min(0).max(600_000).default(60_000),
  })
  .strict();

const ENDED = new Set(['completed', 'failed', 'cancelled']);

export type ReplayAnswer =
  | ({ replayId: string; originalId: string; status: 'compared' } & Omit<EventData<typeof SimulationReplayCompared>, 'simulationId' | 'originalId'>)
  | { replayId: string; originalId: string; status: 'running' };

/**
 * Re-executes an ended simulation against its recorded LLM answers and sandbox results: a new
 * simulation (replayOf) that every service runs as usual, except that agent-execution answers
 * every LLM call and sandbox request from the original's recording and never calls either. When
 * it has settled, the replay-verdict handler compares both histories (SimulationReplayCompared).
 */
@Injectable()
export class ReplaySimulationHandler {
  constructor(
    private readonly store: EventStore,
    private readonly simulations: SimulationsRepository,
  ) {}

  async execute(originalId: string, body: z.output<typeof replayBodySchema>): Promise<ReplayAnswer> {
    const { started } = await originalSimulation(this.store, originalId);
    const row = await this.simulations.find(originalId);
    // A resumable failure is not an end: the simulation may yet go on.
    if (!row || !ENDED.has(row.status) || row.process.suspension) {
      throw new ConflictException({ code: 'SIMULATION_RUNNING', message: `Simulation ${originalId} has not ended: a replay re-executes a whole history` });
    }
    const replayId = randomUUID();
    await startReExecution(this.store, started, { simulationId: replayId, replayOf: { simulationId: originalId } });
    const verdict = await this.verdict(replayId, body.waitMs);
    if (!verdict) return { replayId, originalId, status: 'running' };
    return { replayId, originalId, status: 'compared', identical: verdict.identical, compared: verdict.compared, firstDivergence: verdict.firstDivergence };
  }

  /** The replay's verdict, once recorded (polled: a replay of a small history takes seconds). */
  async verdict(replayId: string, waitMs = 0): Promise<EventData<typeof SimulationReplayCompared> | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const events = await this.store.readStream(simulationStream(replayId));
      const found = events.find((e) => e.type === SimulationReplayCompared.type);
      if (found) return found.data as EventData<typeof SimulationReplayCompared>;
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, Math.min(250, Math.max(1, deadline - Date.now()))));
    }
  }
}
