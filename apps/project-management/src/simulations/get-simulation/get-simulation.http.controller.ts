import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UuidParamPipe } from '@swe-sim/service-runtime';
import { EventData, SimulationReplayCompared, SimulationStarted, simulationStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { metrics } from '../simulation-process';
import { SimulationsRepository } from '../simulations.repository';
import { SimulationSlotsRepository } from '../admission/simulation-slots.repository';
import { Authenticated } from '../../auth/authenticated.decorator';

@ApiTags('simulations')
@Controller('simulations')
export class GetSimulationHttpController {
  constructor(
    private readonly simulations: SimulationsRepository,
    private readonly store: EventStore,
    private readonly slots: SimulationSlotsRepository,
  ) {}

  /** Status, teams, the current sprint and its commitments, and metrics so far. */
  @Get(':id')
  @ApiOperation({ summary: 'Get a simulation', description: 'Status (`queued` while it waits for a slot, with `queue.position`), teams, the current sprint (commitments, estimates, outcomes) and metrics so far; `failure` `{code, reason, resumable, at}` once it failed (`resumable`: POST /simulations/:id/resume goes on), `resumptions`; for a fork its `forkOf`, for a replay its `replayOf` and `replay` verdict (null until it has settled).' })
  @ApiOkResponse({ description: 'The simulation' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND' })
  @Authenticated('read')
  async get(@Param('id', UuidParamPipe) id: string) {
    const row = await this.simulations.find(id);
    if (!row) throw new NotFoundException({ code: 'SIMULATION_NOT_FOUND', message: `Simulation ${id} not found` });
    const p = row.process;
    // A replay's or a fork's origin, and a replay's verdict, are in the simulation's own (short) stream.
    const own = await this.store.readStream(simulationStream(id));
    const started = own[0]?.data as EventData<typeof SimulationStarted> | undefined;
    const verdict = own.find((e) => e.type === SimulationReplayCompared.type)?.data ?? null;
    const waiting = row.status === 'queued' ? await this.slots.queuePosition(this.store.pool, id) : null;
    const neverStarted = row.status === 'queued' && !p.suspension;
    return {
      simulationId: row.simulationId,
      projectId: row.projectId,
      status: row.status,
      queuedAt: p.queuedAt ?? null,
      startedAt: neverStarted ? null : p.startedAt,
      updatedAt: row.updatedAt,
      ...(waiting !== null ? { queue: { position: waiting } } : {}),
      failure: p.failure ?? null,
      resumptions: p.resumptions ?? 0,
      ...(started?.forkOf ? { forkOf: started.forkOf } : {}),
      ...(started?.replayOf ? { replayOf: started.replayOf, replay: verdict } : {}),
      teams: p.teams,
      sprint: { number: p.sprint, committed: p.committed, estimates: p.estimates, outcomes: p.outcomes },
      metrics: metrics(p, row.updatedAt),
    };
  }
}
