import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { BacklogDecompositionRequested, EventData, ProjectCreated } from '@swe-sim/contracts';
import { derivedId } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { EventStoreContext } from '@swe-sim/transport';

/**
 * A project created without a backlog: ask the product-manager agent (agent-execution) for one,
 * in the subscription's transaction. The request id is derived from the project, so a re-run asks
 * nothing new; the answer is recorded in backlog-<projectId> (BacklogDecomposed or …Failed).
 */
@Controller()
export class RequestBacklogDecompositionEventController {
  constructor(@Inject(CONFIG) private readonly config: { LLM_MODEL: string }) {}

  @EventPattern(ProjectCreated.type)
  async onProjectCreated(@Payload() project: EventData<typeof ProjectCreated>, @Ctx() ctx: EventStoreContext) {
    if (project.backlogSource !== 'decomposition') return;
    const request: EventData<typeof BacklogDecompositionRequested> = {
      projectId: project.projectId,
      name: project.name,
      description: project.description,
      goals: project.goals,
      stack: project.stack,
      acceptance: project.acceptance,
      model: this.config.LLM_MODEL,
    };
    await ctx.request(BacklogDecompositionRequested.type, request, derivedId('backlog-decomposition', project.projectId));
  }
}
