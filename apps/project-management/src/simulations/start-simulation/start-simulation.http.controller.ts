import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { startSimulationBodySchema } from './simulation-config';
import { StartSimulationHandler } from './start-simulation.handler';
import { Authenticated } from '../../auth/authenticated.decorator';

@Controller('projects/:projectId/simulations')
export class StartSimulationHttpController {
  constructor(private readonly handler: StartSimulationHandler) {}

  @Post()
  @Authenticated('write')
  @HttpCode(201)
  start(
    @Param('projectId', UuidParamPipe) projectId: string,
    @Body(new ZodBodyPipe(startSimulationBodySchema)) body: z.output<typeof startSimulationBodySchema>,
  ) {
    return this.handler.execute(projectId, body);
  }
}
