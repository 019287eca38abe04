import { Module } from '@nestjs/common';
import { CreateProjectHandler } from './create-project/create-project.handler';
import { CreateProjectHttpController } from './create-project/create-project.http.controller';
import { RequestBacklogDecompositionEventController } from './decompose-backlog/request-backlog-decomposition.event.controller';
import { GetProjectHttpController } from './get-project/get-project.http.controller';
import { ListProjectsHttpController } from './list-projects/list-projects.http.controller';
import { ProjectsProjection } from './projects.projection';
import { ProjectsRepository } from './projects.repository';

@Module({
  controllers: [CreateProjectHttpController, ListProjectsHttpController, GetProjectHttpController, ProjectsProjection, RequestBacklogDecompositionEventController],
  providers: [CreateProjectHandler, ProjectsRepository],
})
export class ProjectsModule {}
