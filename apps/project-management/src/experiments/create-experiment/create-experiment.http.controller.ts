import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { CreateExperimentHandler } from './create-experiment.handler';
import { CreateExperimentBody, createExperimentBodySchema } from './experiment-spec';

@ApiTags('experiments')
@Controller('experiments')
export class CreateExperimentHttpController {
  constructor(private readonly handler: CreateExperimentHandler) {}

  @Post()
  @ApiOperation({
    summary: 'Create an experiment',
    description:
      'Variants (a fork\'s overrides plus teams/teamSize, one the control) × seeds (or repetitions) × projects, or a counterfactual design (every run a fork of `design.from` at `design.atPosition`). ' +
      'Runs start `concurrency` at a time through the run queue. See docs/experiments.md.',
  })
  @ApiCreatedResponse({ description: '`{experimentId, runs, position}`' })
  @ApiErrors({ 404: ['PROJECT_NOT_FOUND', 'SIMULATION_NOT_FOUND'], 409: ['PROJECT_BACKLOG_PENDING', 'PROJECT_BACKLOG_FAILED'] })
  @Authenticated('write')
  @HttpCode(201)
  create(@Body(new ZodBodyPipe(createExperimentBodySchema)) body: CreateExperimentBody) {
    return this.handler.execute(body);
  }
}
