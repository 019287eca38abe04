import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UuidParamPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { ExperimentCommands } from '../experiment-commands';

@ApiTags('experiments')
@Controller('experiments')
export class GetExperimentHttpController {
  constructor(private readonly commands: ExperimentCommands) {}

  /** The fold of the experiment's stream (its source of truth, so current the moment it is created). */
  @Get(':id')
  @ApiOperation({ summary: 'Get an experiment', description: 'Its definition, status, token use and every run (variant, seed, project, status, attempt, simulation, outcome, counted).' })
  @ApiOkResponse({ description: 'The experiment' })
  @ApiErrors({ 404: 'EXPERIMENT_NOT_FOUND' })
  @Authenticated('read')
  async get(@Param('id', UuidParamPipe) id: string) {
    const { state } = await this.commands.load(id);
    if (!state.created) throw new NotFoundException({ code: 'EXPERIMENT_NOT_FOUND', message: `Experiment ${id} not found` });
    const { experimentId, name, projectIds, design, settings } = state.created;
    const count = (s: string) => state.runs.filter((r) => r.status === s).length;
    return {
      experimentId,
      name,
      status: state.status,
      projectIds,
      design,
      variants: state.variants,
      seeds: state.seeds,
      settings,
      tokensUsed: state.tokensUsed,
      progress: { total: state.runs.length, pending: count('pending'), running: count('running'), ended: count('ended'), counted: state.runs.filter((r) => r.counted).length },
      runs: state.runs.map(({ metrics, ...run }) => ({ ...run, hasMetrics: metrics !== null })),
    };
  }
}
