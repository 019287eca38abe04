import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { startSimulationBodySchema } from './simulation-config';
import { StartSimulationHandler } from './start-simulation.handler';
import { Authenticated } from '../../auth/authenticated.decorator';

@ApiTags('simulations')
@Controller('projects/:projectId/simulations')
export class StartSimulationHttpController {
  constructor(private readonly handler: StartSimulationHandler) {}

  @Post()
  @ApiOperation({ summary: 'Start a simulation of a project', description: 'Every setting is optional; the seed drawn is in the answer (and in the history) so the run can be replayed.' })
  @ApiCreatedResponse({ description: '`{simulationId, seed}`' })
  @ApiErrors({ 404: 'PROJECT_NOT_FOUND', 409: ['PROJECT_BACKLOG_PENDING', 'PROJECT_BACKLOG_FAILED'] })
  @Authenticated('write')
  @HttpCode(201)
  start(
    @Param('projectId', UuidParamPipe) projectId: string,
    @Body(new ZodBodyPipe(startSimulationBodySchema)) body: z.output<typeof startSimulationBodySchema>,
  ) {
    return this.handler.execute(projectId, body);
  }
}
