import { Body, ConflictException, Controller, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { simulationStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore, handleCommand } from '@swe-sim/event-store';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { SimulationEndedError, SimulationNotFoundError, lifecycleDecider } from '../simulation-lifecycle.decider';
import { Authenticated } from '../../auth/authenticated.decorator';

const cancelBodySchema = z.object({ reason: z.string().min(1).max(2000).default('cancelled by the user') }).strict();

@ApiTags('simulations')
@Controller('simulations')
export class CancelSimulationHttpController {
  constructor(private readonly store: EventStore) {}

  /** Stops a running simulation: its agents end their tasks at their next step. */
  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a simulation', description: 'Its agents end their tasks at their next step.' })
  @ApiAcceptedResponse({ description: '`{simulationId, status: "cancelling", position}`' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND', 409: 'SIMULATION_ENDED' })
  @Authenticated('write')
  @HttpCode(202)
  async cancel(@Param('id', UuidParamPipe) id: string, @Body(new ZodBodyPipe(cancelBodySchema)) body: z.output<typeof cancelBodySchema>) {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await handleCommand(this.store, simulationStream(id), lifecycleDecider, { type: 'CancelSimulation', simulationId: id, reason: body.reason }, {
          metadata: { simulationId: id, actor: 'api' },
        });
        return { simulationId: id, status: 'cancelling', position: r.events[0].globalPosition };
      } catch (err) {
        if (err instanceof SimulationNotFoundError) throw new NotFoundException({ code: err.code, message: err.message });
        if (err instanceof SimulationEndedError) throw new ConflictException({ code: err.code, message: err.message });
        if (!(err instanceof ConcurrencyError) || attempt >= 5) throw err; // the simulation moved on meanwhile: decide again
      }
    }
  }
}
