import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { forkBodySchema } from './fork-overrides';
import { ForkSimulationHandler } from './fork-simulation.handler';

@ApiTags('simulations')
@Controller('simulations')
export class ForkSimulationHttpController {
  constructor(private readonly handler: ForkSimulationHandler) {}

  @Post(':id/fork')
  @ApiOperation({
    summary: 'Fork a simulation at a position',
    description:
      'A new simulation that shares the history up to `atPosition` (every LLM answer and sandbox result recorded by then is reused while the request is the same) and continues live with the overrides (model, sampling, roster, process, budgets).',
  })
  @ApiCreatedResponse({ description: '`{simulationId, forkOf {simulationId, atPosition}, seed, position}`' })
  @ApiErrors({ 400: 'VALIDATION_FAILED', 404: 'SIMULATION_NOT_FOUND' })
  @Authenticated('write')
  @HttpCode(201)
  fork(@Param('id', UuidParamPipe) id: string, @Body(new ZodBodyPipe(forkBodySchema)) body: z.output<typeof forkBodySchema>) {
    return this.handler.execute(id, body);
  }
}
