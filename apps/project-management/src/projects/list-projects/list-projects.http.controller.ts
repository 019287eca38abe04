import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Page, decodeListCursor, encodeListCursor, pageQuerySchema } from '../../api/cursor';
import { ProjectSummary, ProjectsRepository } from '../projects.repository';

@ApiTags('projects')
@Controller('projects')
export class ListProjectsHttpController {
  constructor(private readonly projects: ProjectsRepository) {}

  /** Projects, newest first: `?limit=` (1..100, 20) and `?cursor=` from the previous page's nextCursor. */
  @Get()
  @ApiOperation({ summary: 'List projects', description: 'Newest first, a page at a time (`?limit=`, `?cursor=` from the previous nextCursor).' })
  @ApiOkResponse({ description: '`{items: [{projectId, name, stack, backlogSource, backlogStatus, createdAt}], nextCursor}`' })
  @Authenticated('read')
  async list(@Query(new ZodQueryPipe(pageQuerySchema)) q: z.output<typeof pageQuerySchema>): Promise<Page<ProjectSummary>> {
    const page = await this.projects.list(q.limit, decodeListCursor(q.cursor));
    return { items: page.items, nextCursor: page.more && page.last ? encodeListCursor(page.last) : null };
  }
}
