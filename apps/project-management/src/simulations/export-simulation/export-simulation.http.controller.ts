import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { simulationQueueStream, simulationStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { ApiErrors, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { NdjsonResponse, sendNdjson } from '../../api/ndjson-response';
import { SimulationBundle } from './simulation-bundle';
import { SimulationExport } from './simulation-export';

export const exportQuerySchema = z
  .object({
    format: z.enum(['events', 'chat', 'bundle']).default('events'),
    /** chat only: each line also carries where the call came from (OpenAI's validator refuses unknown keys, so off by default). */
    metadata: z.enum(['true', 'false']).default('false'),
    /** The body gzipped, as a file (application/gzip). */
    gzip: z.enum(['true', 'false']).default('false'),
  })
  .strict();

@ApiTags('simulations')
@Controller('simulations')
export class ExportSimulationHttpController {
  constructor(
    private readonly exporter: SimulationExport,
    private readonly bundle: SimulationBundle,
    private readonly store: EventStore,
  ) {}

  /**
   * The simulation's history as JSON lines (application/x-ndjson), streamed as it is read from the
   * store: `events`, each event as in /events; `chat`, each completed LLM call in OpenAI's chat
   * fine-tuning format; `bundle`, the whole history made portable (POST /simulations/import).
   */
  @Get(':id/export')
  @ApiOperation({
    summary: "Export a simulation's history (JSON lines)",
    description:
      "`format=events`: each event as in /events; `format=chat`: each completed LLM call in OpenAI's chat fine-tuning format (`metadata=true` adds where each came from); `format=bundle`: an ended simulation's whole history with its project and blobs, to import elsewhere (docs/histories.md). `gzip=true` sends it gzipped (application/gzip). Streamed as it is read.",
  })
  @ApiProduces('application/x-ndjson', 'application/gzip')
  @ApiOkResponse({ description: 'application/x-ndjson, one JSON object a line (application/gzip with gzip=true)' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND', 409: 'SIMULATION_RUNNING' })
  @Authenticated('read')
  async export(
    @Param('id', UuidParamPipe) id: string,
    @Query(new ZodQueryPipe(exportQuerySchema)) q: z.output<typeof exportQuerySchema>,
    @Res() res: NdjsonResponse,
  ): Promise<void> {
    // A simulation waiting in the queue exists (its history is empty until it starts).
    if ((await this.store.streamVersion(simulationStream(id))) === null && (await this.store.streamVersion(simulationQueueStream(id))) === null) {
      throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${id} not found` });
    }
    const lines =
      q.format === 'bundle' ? this.bundle.lines(id) : q.format === 'chat' ? this.exporter.chat(id, { metadata: q.metadata === 'true' }) : this.exporter.events(id);
    const gzip = q.gzip === 'true';
    const name = q.format === 'bundle' ? `simulation-${id}.bundle.ndjson` : `simulation-${id}-${q.format}.jsonl`;
    await sendNdjson(res, lines, { gzip, filename: gzip ? `${name}.gz` : name });
  }
}
