import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { LifecycleBy, SimulationLifecycle } from '../simulation-lifecycle';
import { SimulationNotFoundError, SimulationNotResumableError, SimulationResumePendingError } from '../simulation-lifecycle.decider';

/**
 * Resumes a simulation that failed resumable (INFRASTRUCTURE_UNAVAILABLE): its resume is a request
 * for a slot (SimulationQueued with `resume`), appended at the version of the simulation's queue
 * stream read with its state — of two concurrent resumes exactly one is recorded, the other is
 * refused as pending. project-management records SimulationResumed as soon as a slot is free (at
 * once below SIMULATIONS_MAX_RUNNING); then every service goes on with what it had suspended.
 */
@Injectable()
export class ResumeSimulationHandler {
  constructor(private readonly lifecycle: SimulationLifecycle) {}

  /** `by`: an experiment's subscription (its transaction and append), by default the API's request. */
  async execute(simulationId: string, reason: string, by: LifecycleBy = {}) {
    try {
      const { events, state } = await this.lifecycle.execute({ type: 'ResumeSimulation', simulationId, reason }, { db: by.db, append: by.append, metadata: { actor: by.actor ?? 'api' } });
      return { simulationId, status: 'resuming', resumption: state.resumeQueued!.resumption, position: events[0].globalPosition };
    } catch (err) {
      if (err instanceof SimulationNotFoundError) throw new NotFoundException({ code: err.code, message: err.message });
      if (err instanceof SimulationNotResumableError || err instanceof SimulationResumePendingError) {
        throw new ConflictException({ code: err.code, message: err.message, ...err.details });
      }
      throw err;
    }
  }
}
