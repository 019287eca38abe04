import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { SimulationStateHandler } from './simulation-state.handler';

export const positionSchema = z.coerce.number({ invalid_type_error: 'must be a position' }).int().positive().max(Number.MAX_SAFE_INTEGER);
const stateQuerySchema = z.object({ at: positionSchema.optional() }).strict();

@ApiTags('simulations')
@Controller('simulations')
export class SimulationStateHttpController {
  constructor(private readonly sut: SimulationStateHandler) {}

  /** The simulation rebuilt from its events up to position `at` (default: now), from the nearest snapshot. */
  @Get(':id/state')
  @ApiOperation({ summary: 'A simulation at a position', description: 'Rebuilt from its events up to `at` (default: now): status, backlog with estimates, teams, sprint, each agent task\'s progress, metrics. A position before the simulation started is a 400 naming `at`.' })
  @ApiOkResponse({ description: 'The simulation\'s state at that position' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND' })
  @Authenticated('read')
  state(@Param('id', UuidParamPipe) id: string, @Query(new ZodQueryPipe(stateQuerySchema)) q: z.output<typeof stateQuerySchema>) {
    return this.sut.execute(id, q.at);
  }
}
