import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { BacklogDecomposed, BacklogDecompositionFailed, EventData, ProjectCreated, ProjectStaffingAssessed } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { ProjectsRepository } from './projects.repository';

/** Keeps pm_projects in step with the log; writes share the subscription's transaction. */
@Controller()
export class ProjectsProjection {
  constructor(private readonly projects: ProjectsRepository) {}

  @EventPattern(ProjectCreated.type)
  async onCreated(@Payload() data: EventData<typeof ProjectCreated>, @Ctx() ctx: EventStoreContext) {
    const event = ctx.getEvent();
    await this.projects.insert(ctx.getTx()!, data, event.metadata.recordedAt, event.globalPosition);
  }

  @EventPattern(ProjectStaffingAssessed.type)
  async onStaffingAssessed(@Payload() data: EventData<typeof ProjectStaffingAssessed>, @Ctx() ctx: EventStoreContext) {
    await this.projects.setRequiredSkills(ctx.getTx()!, data, ctx.getEvent().globalPosition);
  }

  @EventPattern(BacklogDecomposed.type)
  async onBacklogDecomposed(@Payload() data: EventData<typeof BacklogDecomposed>, @Ctx() ctx: EventStoreContext) {
    await this.projects.setDecomposedBacklog(ctx.getTx()!, data, ctx.getEvent().globalPosition);
  }

  @EventPattern(BacklogDecompositionFailed.type)
  async onBacklogDecompositionFailed(@Payload() data: EventData<typeof BacklogDecompositionFailed>, @Ctx() ctx: EventStoreContext) {
    await this.projects.setDecompositionFailed(ctx.getTx()!, data, ctx.getEvent().globalPosition);
  }
}
