import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UuidParamPipe } from '@swe-sim/service-runtime';
import { metrics } from '../simulation-process';
import { SimulationsRepository } from '../simulations.repository';
import { Authenticated } from '../../auth/authenticated.decorator';

@ApiTags('simulations')
@Controller('simulations')
export class GetSimulationHttpController {
  constructor(private readonly simulations: SimulationsRepository) {}

  /** Status, teams, the current sprint and its commitments, and metrics so far. */
  @Get(':id')
  @ApiOperation({ summary: 'Get a simulation', description: 'Status, teams, the current sprint (commitments, estimates, outcomes) and metrics so far.' })
  @ApiOkResponse({ description: 'The simulation' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND' })
  @Authenticated('read')
  async get(@Param('id', UuidParamPipe) id: string) {
    const row = await this.simulations.find(id);
    if (!row) throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${id} not found` });
    const p = row.process;
    return {
      simulationId: row.simulationId,
      projectId: row.projectId,
      status: row.status,
      startedAt: row.startedAt,
      updatedAt: row.updatedAt,
      teams: p.teams,
      sprint: { number: p.sprint, committed: p.committed, estimates: p.estimates, outcomes: p.outcomes },
      metrics: metrics(p, row.updatedAt),
    };
  }
}
