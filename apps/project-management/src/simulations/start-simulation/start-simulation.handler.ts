import { randomInt, randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DEFAULT_ROSTER, EventData, SimulationQueued, SimulationStarted, simulationQueueStream } from '@swe-sim/contracts';
import { EventStore, Queryable } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { ProjectBacklogNotReadyError, ProjectEvent, ProjectNotFoundError, decideProject } from '../../projects/project.decider';
import { loadProjectState } from '../../projects/project-state';
import { checkProgramRoster } from '../../roster/program-roster-check';
import { RosterRepository } from '../../roster/roster.repository';
import { resolveSimulationConfig, startSimulationBodySchema } from './simulation-config';
import { z } from 'zod';

/** Who starts a simulation, when not a request of the API. */
export interface StartAs {
  simulationId?: string;
  db?: Queryable;
  actor?: string;
}

@Injectable()
export class StartSimulationHandler {
  constructor(
    private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: { LLM_MODEL: string },
    private readonly roster: RosterRepository,
  ) {}

  /**
   * `as`: an experiment's start — its derived simulation id and its subscription's transaction, so
   * the start is queued exactly once with the event that decided it (by default a new id, the pool).
   */
  async execute(projectId: string, body: z.output<typeof startSimulationBodySchema>, as: StartAs = {}) {
    const db = as.db;
    const state = await loadProjectState(this.store, projectId, db);
    const simulationId = as.simulationId ?? randomUUID();
    // Without a roster of its own, a simulation staffs from the shipped personas and those registered
    // (agent programs only where a roster names them: registering one must not change other simulations).
    const roster = body.roster ? DEFAULT_ROSTER : [...DEFAULT_ROSTER, ...(await this.roster.registered(db)).filter((p) => !p.program)];
    const config = resolveSimulationConfig(body, { model: this.config.LLM_MODEL, roster, seed: () => randomInt(0, 2 ** 31 - 1) });
    let decided: ProjectEvent[];
    try {
      decided = decideProject({ type: 'StartSimulation', data: { simulationId, config } }, state);
    } catch (err) {
      if (err instanceof ProjectNotFoundError) throw new NotFoundException({ code: err.code, message: `Project ${projectId} not found` });
      if (err instanceof ProjectBacklogNotReadyError) throw new ConflictException({ code: err.code, message: err.message, ...err.details });
      throw err;
    }
    // Decided now (seed, configuration, the project as it is), recorded when a slot is free.
    const start = decided[0].data as EventData<typeof SimulationStarted>;
    await checkProgramRoster(this.store, start.config.roster, start.project.stack, 'roster', db);
    const queued: EventData<typeof SimulationQueued> = { simulationId, projectId, start };
    const result = await this.store.append(simulationQueueStream(simulationId), [{ type: SimulationQueued.type, data: queued }], {
      expectedVersion: 'no_stream',
      metadata: { simulationId: null, actor: as.actor ?? 'api' },
    }, db);
    return { simulationId, seed: config.seed, position: result.events[0].globalPosition };
  }
}
