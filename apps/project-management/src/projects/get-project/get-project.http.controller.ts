import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { UuidParamPipe } from '@swe-sim/service-runtime';
import { ProjectsRepository } from '../projects.repository';
import { Authenticated } from '../../auth/authenticated.decorator';

@Controller('projects')
export class GetProjectHttpController {
  constructor(private readonly projects: ProjectsRepository) {}

  @Get(':id')
  @Authenticated('read')
  async get(@Param('id', UuidParamPipe) id: string) {
    const project = await this.projects.find(id);
    if (!project) throw new NotFoundException({ code: 'PROJECT_NOT_FOUND', message: `Project ${id} not found` });
    return project;
  }
}
