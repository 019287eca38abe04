import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UuidParamPipe } from '@swe-sim/service-runtime';
import { ProjectsRepository } from '../projects.repository';
import { Authenticated } from '../../auth/authenticated.decorator';

@ApiTags('projects')
@Controller('projects')
export class GetProjectHttpController {
  constructor(private readonly projects: ProjectsRepository) {}

  @Get(':id')
  @ApiOperation({ summary: 'Get a project', description: 'The project, its required skills and its backlog status (`ready`, `pending`, `failed`).' })
  @ApiOkResponse({ description: 'The project' })
  @ApiErrors({ 404: 'PROJECT_NOT_FOUND' })
  @Authenticated('read')
  async get(@Param('id', UuidParamPipe) id: string) {
    const project = await this.projects.find(id);
    if (!project) throw new NotFoundException({ code: 'PROJECT_NOT_FOUND', message: `Project ${id} not found` });
    return project;
  }
}
