import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Page, decodeListCursor, encodeListCursor, pageQuerySchema } from '../../api/cursor';
import { ExperimentSummary, ExperimentsRepository } from '../experiments.repository';

@ApiTags('experiments')
@Controller('experiments')
export class ListExperimentsHttpController {
  constructor(private readonly experiments: ExperimentsRepository) {}

  /** Experiments, newest first: `?limit=` (1..100, 20) and `?cursor=` from the previous page's nextCursor. */
  @Get()
  @ApiOperation({ summary: 'List experiments', description: 'Newest first, a page at a time (`?limit=`, `?cursor=` from the previous nextCursor).' })
  @ApiOkResponse({ description: '`{items: [{experimentId, name, status, createdAt, updatedAt}], nextCursor}`' })
  @Authenticated('read')
  async list(@Query(new ZodQueryPipe(pageQuerySchema)) q: z.output<typeof pageQuerySchema>): Promise<Page<ExperimentSummary>> {
    const page = await this.experiments.list(q.limit, decodeListCursor(q.cursor));
    return { items: page.items, nextCursor: page.more && page.last ? encodeListCursor(page.last) : null };
  }
}
