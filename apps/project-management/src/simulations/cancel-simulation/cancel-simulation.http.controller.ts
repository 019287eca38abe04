import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { CancelSimulationHandler } from './cancel-simulation.handler';

const cancelBodySchema = z.object({ reason: z.string().min(1).max(2000).default('cancelled by the user') }).strict();

@ApiTags('simulations')
@Controller('simulations')
export class CancelSimulationHttpController {
  constructor(private readonly handler: CancelSimulationHandler) {}

  /** Stops a running simulation (its agents end their tasks at their next step), or one that waits in the queue or failed resumable. */
  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a simulation', description: 'Running: its agents end their tasks at their next step. Queued: it never starts. Failed resumable: it ends for good.' })
  @ApiAcceptedResponse({ description: '`{simulationId, status: "cancelling", position}`' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND', 409: 'SIMULATION_ENDED' })
  @Authenticated('write')
  @HttpCode(202)
  cancel(@Param('id', UuidParamPipe) id: string, @Body(new ZodBodyPipe(cancelBodySchema)) body: z.output<typeof cancelBodySchema>) {
    return this.handler.execute(id, body.reason);
  }
}
