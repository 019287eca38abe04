import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../auth/authenticated.decorator';
import { decodeEventCursor, historyQuerySchema } from '../api/cursor';
import { History, HistoryPage } from './history';

@ApiTags('history')
@Controller('events')
export class GlobalEventsHttpController {
  constructor(private readonly history: History) {}

  /** The global log in commit order (every service's events): admin only. */
  @Get()
  @ApiOperation({ summary: 'The global event log', description: "Every service's events in commit order, a page at a time (`?after=`, `?limit=`)." })
  @ApiOkResponse({ description: '`{items: [...], nextCursor}` as in a simulation\'s events' })
  @Authenticated('admin')
  async events(@Query(new ZodQueryPipe(historyQuerySchema)) q: z.output<typeof historyQuerySchema>): Promise<HistoryPage> {
    const { items, nextCursor } = await this.history.page({ after: decodeEventCursor(q.after), limit: q.limit });
    return { items, nextCursor };
  }
}
