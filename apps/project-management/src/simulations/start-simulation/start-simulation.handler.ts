import { randomInt, randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DEFAULT_ROSTER, EventData, SimulationQueued, SimulationStarted, backlogStream, projectStream, simulationQueueStream } from '@swe-sim/contracts';
import { EventStore, fold } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { ProjectBacklogNotReadyError, ProjectEvent, ProjectNotFoundError, decideProject, evolveProject, initialProjectState } from '../../projects/project.decider';
import { checkProgramRoster } from '../../roster/program-roster-check';
import { RosterRepository } from '../../roster/roster.repository';
import { resolveSimulationConfig, startSimulationBodySchema } from './simulation-config';
import { z } from 'zod';

@Injectable()
export class StartSimulationHandler {
  constructor(
    private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: { LLM_MODEL: string },
    private readonly roster: RosterRepository,
  ) {}

  async execute(projectId: string, body: z.output<typeof startSimulationBodySchema>) {
    // The project's history: its stream, then its backlog's (when a product manager decomposes it).
    const history = [...(await this.store.readStream(projectStream(projectId))), ...(await this.store.readStream(backlogStream(projectId)))];
    const state = fold({ evolve: evolveProject, initialState: initialProjectState }, history as unknown as ProjectEvent[]);
    const simulationId = randomUUID();
    // Without a roster of its own, a simulation staffs from the shipped personas and those registered
    // (agent programs only where a roster names them: registering one must not change other simulations).
    const roster = body.roster ? DEFAULT_ROSTER : [...DEFAULT_ROSTER, ...(await this.roster.registered()).filter((p) => !p.program)];
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
    await checkProgramRoster(this.store, start.config.roster, start.project.stack);
    const queued: EventData<typeof SimulationQueued> = { simulationId, projectId, start };
    const result = await this.store.append(simulationQueueStream(simulationId), [{ type: SimulationQueued.type, data: queued }], {
      expectedVersion: 'no_stream',
      metadata: { simulationId: null, actor: 'api' },
    });
    return { simulationId, seed: config.seed, position: result.events[0].globalPosition };
  }
}
