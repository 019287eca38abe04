import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { ExperimentControlHandler } from '../experiment-control.handler';
import { emptyBodySchema } from '../empty-body';

@ApiTags('experiments')
@Controller('experiments')
export class ResumeExperimentHttpController {
  constructor(private readonly handler: ExperimentControlHandler) {}

  @Post(':id/resume')
  @ApiOperation({ summary: 'Resume an experiment', description: 'Runs start again up to the concurrency. Resuming a running experiment changes nothing. The body is empty (`{}`).' })
  @ApiAcceptedResponse({ description: '`{experimentId, status, changed, runs, position}`' })
  @ApiErrors({ 404: 'EXPERIMENT_NOT_FOUND', 409: 'EXPERIMENT_ENDED' })
  @Authenticated('write')
  @HttpCode(202)
  resume(@Param('id', UuidParamPipe) id: string, @Body(new ZodBodyPipe(emptyBodySchema)) _body: object) {
    return this.handler.execute(id, { type: 'ResumeExperiment', reason: 'resumed by the user' });
  }
}
