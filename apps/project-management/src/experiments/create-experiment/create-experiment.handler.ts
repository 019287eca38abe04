import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Stack } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { checkProgramRoster } from '../../roster/program-roster-check';
import { ProjectBacklogNotReadyError } from '../../projects/project.decider';
import { loadProjectState } from '../../projects/project-state';
import { originalAtCut } from '../../simulations/re-execution/original-simulation';
import { ExperimentCommands, experimentHttpError } from '../experiment-commands';
import { CreateExperimentBody, seedsOf } from './experiment-spec';

/**
 * Records ExperimentCreated; its process manager starts the runs. Projects and the counterfactual's
 * cut are checked now, so that starting a run later does not fail on them.
 */
@Injectable()
export class CreateExperimentHandler {
  constructor(
    private readonly commands: ExperimentCommands,
    private readonly store: EventStore,
  ) {}

  async execute(body: CreateExperimentBody) {
    const cut = body.design.type === 'counterfactual' ? await this.cutOf(body.design.from, body.design.atPosition) : null;
    const projectIds = cut ? [cut.projectId] : body.projects!;
    const stacks = new Set<Stack>(cut ? [cut.stack] : []);
    for (const projectId of cut ? [] : projectIds) {
      // The project's history (not its read model, which may lag a project just created).
      const project = await loadProjectState(this.store, projectId);
      if (project.status !== 'created') throw new NotFoundException({ code: 'PROJECT_NOT_FOUND', message: `Project ${projectId} not found`, field: 'projects' });
      if (project.backlog.status !== 'ready') {
        const err = new ProjectBacklogNotReadyError(projectId, project.backlog);
        throw new ConflictException({ code: err.code, message: err.message, ...err.details });
      }
      stacks.add(project.project.stack);
    }
    // A variant's agent programs must run on every project, as each run's start will check.
    for (const [i, v] of body.variants.entries()) {
      for (const stack of v.overrides.roster ? stacks : []) await checkProgramRoster(this.store, v.overrides.roster!, stack, `variants.${i}.overrides.roster`);
    }
    const experimentId = randomUUID();
    const seeds = seedsOf(body);
    const data = {
      experimentId,
      name: body.name,
      projectIds,
      design: body.design,
      variants: body.variants,
      seeds,
      settings: { concurrency: body.concurrency, tokenBudget: body.tokenBudget ?? null, maxRetries: body.maxRetries },
    };
    try {
      const { events } = await this.commands.execute(experimentId, { type: 'CreateExperiment', data }, { metadata: { actor: 'api' } });
      return { experimentId, runs: body.variants.length * seeds.length * projectIds.length, position: events[0].globalPosition };
    } catch (err) {
      throw experimentHttpError(err);
    }
  }

  /** The original's project, once the cut is known to be inside its history. */
  private async cutOf(from: string, atPosition: number): Promise<{ projectId: string; stack: Stack }> {
    const started = await originalAtCut(this.store, from, atPosition, 'design.atPosition');
    return { projectId: started.project.projectId, stack: started.project.stack };
  }
}
