import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { slugIdSchema } from '@swe-sim/contracts';
import { ApiErrors, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { NdjsonResponse, sendNdjson } from '../../api/ndjson-response';
import { ExperimentsRepository } from '../experiments.repository';
import { ExperimentExport } from './experiment-export';

const exportQuerySchema = z
  .object({
    format: z.enum(['runs', 'chat', 'preferences']).default('runs'),
    /** chat and preferences: one variant's runs only. */
    variant: slugIdSchema.optional(),
    /** chat: the calls made in one role only (the role the gateway records with each call). */
    role: z.enum(['driver', 'navigator', 'reviewer', 'estimator', 'product-manager']).optional(),
    /** chat: only the calls of features done (merged with passing tests), or abandoned, in their run. */
    outcome: z.enum(['done', 'abandoned']).optional(),
    /** chat: each line also carries where the call came from (OpenAI's validator refuses unknown keys, so off by default). */
    metadata: z.enum(['true', 'false']).default('false'),
  })
  .strict();

@ApiTags('experiments')
@Controller('experiments')
export class ExportExperimentHttpController {
  constructor(
    private readonly experiments: ExperimentsRepository,
    private readonly exporter: ExperimentExport,
  ) {}

  @Get(':id/export')
  @ApiOperation({
    summary: "Export an experiment's data (JSON lines)",
    description:
      '`format=runs`: one line per run (variant, seed, project, simulation, outcome, metrics). `format=chat`: every completed LLM call of the counted runs in OpenAI\'s chat ' +
      'fine-tuning format, filtered by `variant`, `role` and `outcome` (`done`: calls of features merged with passing tests). `format=preferences`: DPO pairs ' +
      '`{prompt, chosen, rejected}` from the same prompt answered differently in runs where its feature was done and abandoned. Streamed with backpressure.',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'application/x-ndjson, one JSON object a line' })
  @ApiErrors({ 404: 'EXPERIMENT_NOT_FOUND' })
  @Authenticated('read')
  async export(
    @Param('id', UuidParamPipe) id: string,
    @Query(new ZodQueryPipe(exportQuerySchema)) q: z.output<typeof exportQuerySchema>,
    @Res() res: NdjsonResponse,
  ): Promise<void> {
    if (!(await this.experiments.find(id))) throw new NotFoundException({ code: 'EXPERIMENT_NOT_FOUND', message: `Experiment ${id} not found` });
    const lines =
      q.format === 'runs'
        ? this.exporter.runs(id)
        : q.format === 'chat'
          ? this.exporter.chat(id, { variant: q.variant, role: q.role, outcome: q.outcome, metadata: q.metadata === 'true' })
          : this.exporter.preferences(id, q.variant);
    await sendNdjson(res, lines, { filename: `experiment-${id}-${q.format}.jsonl` });
  }
}
