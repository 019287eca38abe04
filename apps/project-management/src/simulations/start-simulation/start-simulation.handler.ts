import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DEFAULT_ROSTER, EventData, ProjectCreated, SimulationStarted, projectStream, simulationStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { resolveSimulationConfig, startSimulationBodySchema } from './simulation-config';
import { z } from 'zod';

@Injectable()
export class StartSimulationHandler {
  constructor(
    private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: { LLM_MODEL: string },
  ) {}

  async execute(projectId: string, body: z.output<typeof startSimulationBodySchema>) {
    const [created] = await this.store.readStream(projectStream(projectId), { toVersion: 1 });
    if (!created || created.type !== ProjectCreated.type) {
      throw new NotFoundException({ code: 'PROJECT_NOT_FOUND', message: `Project ${projectId} not found` });
    }
    const project = created.data as EventData<typeof ProjectCreated>;
    const simulationId = randomUUID();
    const config = resolveSimulationConfig(body, { model: this.config.LLM_MODEL, roster: DEFAULT_ROSTER, seed: () => randomInt(0, 2 ** 31 - 1) });
    const data: EventData<typeof SimulationStarted> = {
      simulationId,
      project: {
        projectId,
        name: project.name,
        description: project.description,
        stack: project.stack,
        acceptance: project.acceptance,
        scaffold: project.scaffold,
        backlog: project.backlog,
      },
      config,
    };
    const result = await this.store.append(simulationStream(simulationId), [{ type: SimulationStarted.type, data }], {
      expectedVersion: 'no_stream',
      metadata: { simulationId, actor: 'api' },
    });
    return { simulationId, seed: config.seed, position: result.events[0].globalPosition };
  }
}
