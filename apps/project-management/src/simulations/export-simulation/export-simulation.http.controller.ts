import { Controller, Get, Inject, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { once } from 'node:events';
import { z } from 'zod';
import { simulationQueueStream, simulationStream } from '@swe-sim/contracts';
import { EventStore, StructuredLogger } from '@swe-sim/event-store';
import { ApiErrors, LOGGER, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { SimulationExport } from './simulation-export';

/** The parts of Node's request and response an export uses. */
interface Request {
  on(event: 'close', fn: () => void): void;
}
interface Response extends NodeJS.EventEmitter {
  status(code: number): unknown;
  setHeader(name: string, value: string): void;
  write(chunk: string): boolean;
  end(): void;
  destroy(): void;
  readonly destroyed: boolean;
}

export const exportQuerySchema = z
  .object({
    format: z.enum(['events', 'chat']).default('events'),
    /** chat only: each line also carries where the call came from (OpenAI's validator refuses unknown keys, so off by default). */
    metadata: z.enum(['true', 'false']).default('false'),
  })
  .strict();

@ApiTags('simulations')
@Controller('simulations')
export class ExportSimulationHttpController {
  constructor(
    private readonly exporter: SimulationExport,
    private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: StructuredLogger,
  ) {}

  /**
   * The simulation's history as JSON lines (application/x-ndjson), streamed as it is read from the
   * store: `events`, each event as in /events; `chat`, each completed LLM call in OpenAI's chat
   * fine-tuning format.
   */
  @Get(':id/export')
  @ApiOperation({ summary: "Export a simulation's history (JSON lines)", description: '`format=events`: each event as in /events; `format=chat`: each completed LLM call in OpenAI\'s chat fine-tuning format (`metadata=true` adds where each came from). Streamed as it is read.' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'application/x-ndjson, one JSON object a line' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND' })
  @Authenticated('read')
  async export(
    @Param('id', UuidParamPipe) id: string,
    @Query(new ZodQueryPipe(exportQuerySchema)) q: z.output<typeof exportQuerySchema>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // A simulation waiting in the queue exists (its history is empty until it starts).
    if ((await this.store.streamVersion(simulationStream(id))) === null && (await this.store.streamVersion(simulationQueueStream(id))) === null) {
      throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${id} not found` });
    }
    const lines = q.format === 'chat' ? this.exporter.chat(id, { metadata: q.metadata === 'true' }) : this.exporter.events(id);
    let gone = false;
    req.on('close', () => (gone = true));
    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="simulation-${id}-${q.format}.jsonl"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      for await (const line of lines) {
        if (gone || res.destroyed) break;
        // Backpressure: a slow client holds the read of the next page, not memory.
        if (!res.write(`${line}\n`)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    } catch (err) {
      // The status is sent: the connection is cut before the chunked body's end, which a client sees as an error.
      this.logger.error('export failed', { simulationId: id, format: q.format, error: err instanceof Error ? err.message : String(err) });
      res.destroy();
      return;
    } finally {
      await lines.return(undefined);
    }
    res.end();
  }
}
