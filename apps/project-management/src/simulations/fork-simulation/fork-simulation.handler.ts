import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { StartAs } from '../start-simulation/start-simulation.handler';
import { originalAtCut, startReExecution } from '../re-execution/original-simulation';
import { checkProgramRoster } from '../../roster/program-roster-check';
import { ForkOverrides, forkConfig } from './fork-overrides';

/**
 * A fork: a new simulation that re-executes the original with the overrides — every LLM answer
 * and sandbox result the original had recorded by `atPosition` is taken from its recording while
 * the request is the same, so the fork's history up to there is the original's; from the first
 * request the original had not answered by then, it is live. Overrides of model and sampling only
 * change what is live; roster, process and budget overrides apply from the start, and so may make
 * the fork leave the original's path before `atPosition`.
 */
@Injectable()
export class ForkSimulationHandler {
  constructor(private readonly store: EventStore) {}

  /** `as`: an experiment's fork (see StartSimulationHandler); `body.overrides` may then also set the team shape. */
  async execute(originalId: string, body: { atPosition: number; overrides: ForkOverrides }, as: StartAs = {}) {
    const started = await originalAtCut(this.store, originalId, body.atPosition, 'atPosition', as.db);
    const simulationId = as.simulationId ?? randomUUID();
    const forkOf = { simulationId: originalId, atPosition: body.atPosition };
    const config = forkConfig(started.config, body.overrides);
    if (body.overrides.roster) await checkProgramRoster(this.store, config.roster, started.project.stack, 'overrides.roster', as.db);
    const position = await startReExecution(this.store, started, { simulationId, config, forkOf }, as);
    return { simulationId, forkOf, seed: config.seed, position };
  }
}
