import { Controller, Get, Inject, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { simulationQueueStream, simulationStream } from '@swe-sim/contracts';
import { EventStore, StructuredLogger } from '@swe-sim/event-store';
import { ApiErrors, LOGGER, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { NdjsonRequest, NdjsonResponse, sendNdjson } from '../../api/ndjson';
import { SimulationExport } from './simulation-export';

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
    @Req() req: NdjsonRequest,
    @Res() res: NdjsonResponse,
  ): Promise<void> {
    // A simulation waiting in the queue exists (its history is empty until it starts).
    if ((await this.store.streamVersion(simulationStream(id))) === null && (await this.store.streamVersion(simulationQueueStream(id))) === null) {
      throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${id} not found` });
    }
    const lines = q.format === 'chat' ? this.exporter.chat(id, { metadata: q.metadata === 'true' }) : this.exporter.events(id);
    await sendNdjson(req, res, lines, { filename: `simulation-${id}-${q.format}.jsonl`, logger: this.logger, context: { simulationId: id, format: q.format } });
  }
}
