import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Page, decodeListCursor, encodeListCursor, pageQuerySchema } from '../../api/cursor';
import { SimulationSummary, SimulationsRepository } from '../simulations.repository';

const listSimulationsQuerySchema = pageQuerySchema.extend({ projectId: z.string().uuid().optional() }).strict();

@ApiTags('simulations')
@Controller('simulations')
export class ListSimulationsHttpController {
  constructor(private readonly simulations: SimulationsRepository) {}

  /** Simulations, newest first, optionally of one project (`?projectId=`); `?limit=&cursor=` as every list. */
  @Get()
  @ApiOperation({ summary: 'List simulations', description: 'Newest first, optionally of one project (`?projectId=`), a page at a time.' })
  @ApiOkResponse({ description: '`{items: [{simulationId, projectId, status, startedAt, updatedAt}], nextCursor}`' })
  @Authenticated('read')
  async list(@Query(new ZodQueryPipe(listSimulationsQuerySchema)) q: z.output<typeof listSimulationsQuerySchema>): Promise<Page<SimulationSummary>> {
    const page = await this.simulations.list(q.limit, decodeListCursor(q.cursor), q.projectId);
    return { items: page.items, nextCursor: page.more && page.last ? encodeListCursor(page.last) : null };
  }
}
