import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventData, ProjectCreated, ProjectStaffingAssessed } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { assessStaffing } from './assess-staffing';
import { ProjectNeedsRepository } from './project-needs.repository';

/** On a new project: record the skills it needs and tell the others, in one transaction with the checkpoint. */
@Controller()
export class AssessProjectStaffingEventController {
  constructor(private readonly needs: ProjectNeedsRepository) {}

  @EventPattern(ProjectCreated.type)
  async onProjectCreated(@Payload() project: EventData<typeof ProjectCreated>, @Ctx() ctx: EventStoreContext) {
    const requiredSkills = assessStaffing(project);
    if (!(await this.needs.record(ctx.getTx()!, project.projectId, project.stack, requiredSkills))) return;
    await ctx.append(
      ProjectStaffingAssessed.streamOf!({ projectId: project.projectId, requiredSkills }),
      [{ type: ProjectStaffingAssessed.type, data: { projectId: project.projectId, requiredSkills } }],
      { expectedVersion: 'no_stream' },
    );
  }
}
