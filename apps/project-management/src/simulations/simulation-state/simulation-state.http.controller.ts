import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EventStore } from '@swe-sim/event-store';
import { ApiErrors, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { HistoryEvent, rebuildSimulationState } from './simulation-state';
import { SimulationStateHandler, noState } from './simulation-state.handler';

export const positionSchema = z.coerce.number({ invalid_type_error: 'must be a position' }).int().positive().max(Number.MAX_SAFE_INTEGER);
const stateQuerySchema = z.object({ at: positionSchema.optional() }).strict();
const PAGE = 5000;

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

/**
 * A simulation's events up to a position, and its state folded from them from the start (for
 * reads that need the events themselves, like the workspace); a 404 for an unknown simulation, a
 * 400 naming `at` for a position before it started.
 */
export async function historyUpTo(store: EventStore, id: string, at: number | undefined) {
  const events: HistoryEvent[] = [];
  for (let after = 0; ; ) {
    const page = await store.readSimulation(id, { afterPosition: after, toPosition: at, limit: PAGE });
    events.push(...page.map((e) => ({ type: e.type, data: e.data, globalPosition: e.globalPosition, recordedAt: e.metadata.recordedAt })));
    if (page.length < PAGE) break;
    after = page[page.length - 1].globalPosition;
  }
  const state = rebuildSimulationState(events);
  return state ? { events, state } : noState(store, id, at);
}
