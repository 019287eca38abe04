import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { BacklogDecomposed, EventData, ProjectCreated, ProjectStaffingAssessed, projectStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { assessStaffing } from './assess-staffing';
import { ProjectNeedsRepository } from './project-needs.repository';

const staffingStream = (projectId: string) => ProjectStaffingAssessed.streamOf!({ projectId, requiredSkills: [] })!;

/**
 * What a project needs: assessed when it is created, and once more when a product manager has
 * decomposed its description into a backlog (the features name skills the description did not).
 * Each in one transaction with the checkpoint; the staffing stream's version makes each happen once.
 */
@Controller()
export class AssessProjectStaffingEventController {
  constructor(
    private readonly needs: ProjectNeedsRepository,
    private readonly store: EventStore,
  ) {}

  @EventPattern(ProjectCreated.type)
  async onProjectCreated(@Payload() project: EventData<typeof ProjectCreated>, @Ctx() ctx: EventStoreContext) {
    const requiredSkills = assessStaffing(project);
    if (!(await this.needs.record(ctx.getTx()!, project.projectId, project.stack, requiredSkills))) return;
    await ctx.append(staffingStream(project.projectId), [{ type: ProjectStaffingAssessed.type, data: { projectId: project.projectId, requiredSkills } }], {
      expectedVersion: 'no_stream',
    });
  }

  @EventPattern(BacklogDecomposed.type)
  async onBacklogDecomposed(@Payload() decomposed: EventData<typeof BacklogDecomposed>, @Ctx() ctx: EventStoreContext) {
    const tx = ctx.getTx()!;
    const [created] = await this.store.readStream(projectStream(decomposed.projectId), { toVersion: 1 }, tx);
    const assessed = await this.store.readStream(staffingStream(decomposed.projectId), {}, tx);
    // Assessed at creation and not yet again (a re-delivered event finds version 2 and stops).
    if (!created || assessed.length !== 1) return;
    const project = created.data as EventData<typeof ProjectCreated>;
    const requiredSkills = assessStaffing({ ...project, backlog: decomposed.backlog });
    await this.needs.update(tx, decomposed.projectId, requiredSkills);
    await ctx.append(staffingStream(decomposed.projectId), [{ type: ProjectStaffingAssessed.type, data: { projectId: decomposed.projectId, requiredSkills } }], {
      expectedVersion: 1,
    });
  }
}
