import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../auth/authenticated.decorator';
import { decodeEventCursor, historyQuerySchema } from '../api/cursor';
import { History, HistoryPage } from './history';

@ApiTags('history')
@Controller('simulations')
export class SimulationEventsHttpController {
  constructor(
    private readonly history: History,
  ) {}

  /** The simulation's events in commit order: `?after=` the previous page's nextCursor, `?limit=` 1..1000 (100). */
  @Get(':id/events')
  @ApiOperation({ summary: "A simulation's events", description: 'In commit order, a page at a time: `?after=` the previous nextCursor (never null: a short page is the end for now).' })
  @ApiOkResponse({ description: '`{items: [{eventId, position, type, schemaVersion, streamId, streamVersion, data, metadata}], nextCursor}`' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND' })
  @Authenticated('read')
  async events(@Param('id', UuidParamPipe) id: string, @Query(new ZodQueryPipe(historyQuerySchema)) q: z.output<typeof historyQuerySchema>): Promise<HistoryPage> {
    const after = decodeEventCursor(q.after);
    await this.history.assertSimulationExists(id);
    const { items, nextCursor } = await this.history.page({ after, limit: q.limit, simulationId: id });
    return { items, nextCursor };
  }
}
