import { BadRequestException, Controller, Get, Headers, Inject, OnModuleDestroy, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Checkpoint, StructuredLogger } from '@swe-sim/event-store';
import { ApiErrors, CONFIG, LOGGER, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../auth/authenticated.decorator';
import { decodeEventCursor } from '../api/cursor';
import { EventsWakeup } from './events-wakeup';
import { History } from './history';

/** The parts of Node's request and response a stream uses. */
interface Request {
  on(event: 'close', fn: () => void): void;
}
interface Response extends NodeJS.EventEmitter {
  status(code: number): unknown;
  setHeader(name: string, value: string): void;
  flushHeaders(): void;
  write(chunk: string): boolean;
  end(): void;
  readonly destroyed: boolean;
}

const streamQuerySchema = z.object({ after: z.string().min(1).max(128).optional() }).strict();
const PAGE = 500;
const KEEP_ALIVE_MS = 15_000;

/** Resolves once the client has taken what was written (drain), has gone (close), or the stream is ended (abort). */
const drained = (res: Response, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done);
  });

@ApiTags('history')
@Controller('simulations')
export class SimulationEventStreamHttpController implements OnModuleDestroy {
  private readonly open = new Set<AbortController>();

  constructor(
    private readonly history: History,
    private readonly wakeup: EventsWakeup,
    @Inject(CONFIG) private readonly config: { SUBSCRIPTION_POLL_MS: number },
    @Inject(LOGGER) private readonly logger: StructuredLogger,
  ) {}

  /**
   * The simulation's events live, as server-sent events: each has `id:` (a cursor), `event:` (its
   * type) and `data:` (the event as in /events). Resumes after `Last-Event-ID` (or `?after=`).
   * Woken by the store's NOTIFY; polls every SUBSCRIPTION_POLL_MS as a fallback.
   */
  @Get(':id/events/stream')
  @ApiOperation({ summary: "A simulation's events, live (server-sent events)", description: 'History first, then each event as it commits: `id:` a cursor, `event:` the type, `data:` the event. Resumes after `Last-Event-ID` (or `?after=`).' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'A text/event-stream that stays open' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND' })
  @Authenticated('read')
  async stream(
    @Param('id', UuidParamPipe) id: string,
    @Query(new ZodQueryPipe(streamQuerySchema)) q: z.output<typeof streamQuerySchema>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    let after: Checkpoint | undefined;
    const cursorField = lastEventId !== undefined ? 'Last-Event-ID' : 'after';
    if (lastEventId !== undefined) {
      try {
        after = decodeEventCursor(lastEventId.trim(), 'Last-Event-ID');
      } catch (err) {
        throw err instanceof BadRequestException ? err : new BadRequestException({ code: 'VALIDATION_FAILED', message: 'Last-Event-ID: invalid', field: 'Last-Event-ID' });
      }
    } else {
      after = decodeEventCursor(q.after);
    }
    await this.history.assertSimulationExists(id);
    // The first page checks the cursor (a 400 before any byte of the stream is sent).
    let page = await this.history.page({ after, limit: PAGE, simulationId: id, cursorField });

    const abort = new AbortController();
    this.open.add(abort);
    req.on('close', () => abort.abort());
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let lastWrite = Date.now();
    // Backpressure: a slow client holds the read of the next page, not the service's memory.
    const send = async (chunk: string) => {
      lastWrite = Date.now();
      if (!res.write(chunk)) await drained(res, abort.signal);
    };
    try {
      await send(`retry: 2000\n\n`);
      while (!abort.signal.aborted) {
        for (let i = 0; i < page.items.length && !abort.signal.aborted; i++) {
          const e = page.items[i];
          await send(`id: ${page.cursors[i]}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
        }
        if (page.items.length < PAGE) {
          if (Date.now() - lastWrite >= KEEP_ALIVE_MS) await send(`: keep-alive\n\n`);
          await this.wakeup.wait(Math.min(this.config.SUBSCRIPTION_POLL_MS, KEEP_ALIVE_MS), abort.signal);
        }
        if (abort.signal.aborted) break;
        page = await this.history.page({ after: page.next, limit: PAGE, simulationId: id });
      }
    } catch (err) {
      this.logger.error('event stream failed', { simulationId: id, error: err instanceof Error ? err.message : String(err) });
      if (!abort.signal.aborted) res.write(`event: error\ndata: ${JSON.stringify({ error: { code: 'INTERNAL', message: 'The stream failed; reconnect with Last-Event-ID' } })}\n\n`);
    } finally {
      this.open.delete(abort);
      res.end();
    }
  }

  /** Before the HTTP server closes (it would wait for open streams). */
  onModuleDestroy(): void {
    for (const a of this.open) a.abort();
  }
}
