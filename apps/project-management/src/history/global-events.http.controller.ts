import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../auth/authenticated.decorator';
import { decodeEventCursor, historyQuerySchema } from '../api/cursor';
import { History, HistoryPage } from './history';

@Controller('events')
export class GlobalEventsHttpController {
  constructor(private readonly history: History) {}

  /** The global log in commit order (every service's events): admin only. */
  @Get()
  @Authenticated('admin')
  async events(@Query(new ZodQueryPipe(historyQuerySchema)) q: z.output<typeof historyQuerySchema>): Promise<HistoryPage> {
    const { items, nextCursor } = await this.history.page({ after: decodeEventCursor(q.after), limit: q.limit });
    return { items, nextCursor };
  }
}
