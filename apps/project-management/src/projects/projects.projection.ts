import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { BacklogDecomposed, BacklogDecompositionFailed, EventData, ProjectCreated, ProjectStaffingAssessed } from '@swe-sim/contracts';
import { Queryable, StoredEvent } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { ProjectsRepository } from './projects.repository';

/**
 * One event of a project's history into pm_projects (other events change nothing). The
 * subscription and the import of a project's history both go through here.
 */
export async function projectEventToRows(projects: ProjectsRepository, db: Queryable, event: StoredEvent): Promise<void> {
  switch (event.type) {
    case ProjectCreated.type:
      return projects.insert(db, event.data as EventData<typeof ProjectCreated>, event.metadata.recordedAt, event.globalPosition);
    case ProjectStaffingAssessed.type:
      return projects.setRequiredSkills(db, event.data as EventData<typeof ProjectStaffingAssessed>, event.globalPosition);
    case BacklogDecomposed.type:
      return projects.setDecomposedBacklog(db, event.data as EventData<typeof BacklogDecomposed>, event.globalPosition);
    case BacklogDecompositionFailed.type:
      return projects.setDecompositionFailed(db, event.data as EventData<typeof BacklogDecompositionFailed>, event.globalPosition);
  }
}

/** Keeps pm_projects in step with the log; writes share the subscription's transaction. */
@Controller()
export class ProjectsProjection {
  constructor(private readonly projects: ProjectsRepository) {}

  @EventPattern(ProjectCreated.type)
  onCreated(@Ctx() ctx: EventStoreContext) {
    return projectEventToRows(this.projects, ctx.getTx()!, ctx.getEvent());
  }

  @EventPattern(ProjectStaffingAssessed.type)
  onStaffingAssessed(@Ctx() ctx: EventStoreContext) {
    return projectEventToRows(this.projects, ctx.getTx()!, ctx.getEvent());
  }

  @EventPattern(BacklogDecomposed.type)
  onBacklogDecomposed(@Ctx() ctx: EventStoreContext) {
    return projectEventToRows(this.projects, ctx.getTx()!, ctx.getEvent());
  }

  @EventPattern(BacklogDecompositionFailed.type)
  onBacklogDecompositionFailed(@Ctx() ctx: EventStoreContext) {
    return projectEventToRows(this.projects, ctx.getTx()!, ctx.getEvent());
  }
}
