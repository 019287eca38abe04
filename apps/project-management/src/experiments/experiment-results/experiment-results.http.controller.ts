import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { ExperimentsRepository } from '../experiments.repository';
import { experimentResults, resultsCsv } from './experiment-results';

const resultsQuerySchema = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();

interface Response {
  setHeader(name: string, value: string): void;
  send(body: unknown): void;
}

@ApiTags('experiments')
@Controller('experiments')
export class ExperimentResultsHttpController {
  constructor(private readonly experiments: ExperimentsRepository) {}

  @Get(':id/results')
  @ApiOperation({
    summary: "An experiment's results",
    description:
      'Per variant and metric: n, mean, sd, median, min, max and a seeded 95% bootstrap interval of the mean; against the control: the difference, its interval, ' +
      'a p-value (Wilcoxon signed-rank paired by seed and project, else Mann–Whitney) and an effect size; Wilson intervals for runs completed and features done. ' +
      'Counted runs only (infrastructure failures are retried, not counted). `format=csv`: one row per variant and metric.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: '`{experimentId, status, control, bootstrapSeed, level, runs, metrics, variants}` or CSV' })
  @ApiErrors({ 404: 'EXPERIMENT_NOT_FOUND' })
  @Authenticated('read')
  async results(@Param('id', UuidParamPipe) id: string, @Query(new ZodQueryPipe(resultsQuerySchema)) q: z.output<typeof resultsQuerySchema>, @Res({ passthrough: true }) res: Response) {
    const experiment = await this.experiments.find(id);
    if (!experiment) throw new NotFoundException({ code: 'EXPERIMENT_NOT_FOUND', message: `Experiment ${id} not found` });
    const results = experimentResults(experiment.definition.variants, await this.experiments.runs(id));
    if (q.format === 'json') return { experimentId: id, name: experiment.name, status: experiment.status, ...results };
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="experiment-${id}-results.csv"`);
    return resultsCsv(results);
  }
}
