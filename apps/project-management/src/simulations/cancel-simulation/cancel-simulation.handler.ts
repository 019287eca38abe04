import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { LifecycleBy, SimulationLifecycle } from '../simulation-lifecycle';
import { SimulationEndedError, SimulationNotFoundError } from '../simulation-lifecycle.decider';

/**
 * Cancels a simulation that runs, waits in the queue, or failed resumable: its agents end their
 * tasks at their next step; a queued one never starts (its SimulationCancelled takes the place of
 * the SimulationStarted the queue would have recorded, so exactly one of the two is recorded).
 */
@Injectable()
export class CancelSimulationHandler {
  constructor(private readonly lifecycle: SimulationLifecycle) {}

  /** `by`: an experiment's subscription (its transaction and append), by default the API's request. */
  async execute(simulationId: string, reason: string, by: LifecycleBy = {}) {
    try {
      const { events } = await this.lifecycle.execute({ type: 'CancelSimulation', simulationId, reason }, { db: by.db, append: by.append, metadata: { actor: by.actor ?? 'api' } });
      return { simulationId, status: 'cancelling', position: events[0].globalPosition };
    } catch (err) {
      if (err instanceof SimulationNotFoundError) throw new NotFoundException({ code: err.code, message: err.message });
      if (err instanceof SimulationEndedError) throw new ConflictException({ code: err.code, message: err.message });
      throw err;
    }
  }
}
