import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  EstimateRequested,
  EventData,
  PlanningPokerRoundStarted,
  SprintPlanningStarted,
  pokerStream,
} from '@swe-sim/contracts';
import { EventStore, causedBy, derivedId, handleCommand } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { SimulationContextRepository } from '../context/simulation-context.repository';
import { pokerDecider } from './poker-round.decider';

/**
 * Planning poker, the part that runs in the subscription's transaction: open a round per feature,
 * ask for each voter's estimate (a request this service answers concurrently), tally the votes.
 */
@Controller()
export class PlanningEventController {
  constructor(
    private readonly context: SimulationContextRepository,
    @Inject(EventStore) private readonly store: EventStore,
  ) {}

  @EventPattern(SprintPlanningStarted.type)
  async onPlanningStarted(@Payload() data: EventData<typeof SprintPlanningStarted>, @Ctx() ctx: EventStoreContext) {
    const tx = ctx.getTx()!;
    for (const candidate of data.candidates) {
      const team = await this.context.team(data.simulationId, candidate.teamId, tx);
      if (!team) throw new Error(`team ${candidate.teamId} of simulation ${data.simulationId} is not known yet`);
      const voters = team.members.map((m) => m.personaId);
      for (const featureId of candidate.featureIds) {
        const round: EventData<typeof PlanningPokerRoundStarted> = { simulationId: data.simulationId, sprint: data.sprint, teamId: candidate.teamId, featureId, round: 1, voters };
        await ctx.append(pokerStream(data.simulationId, data.sprint, featureId), [{ type: PlanningPokerRoundStarted.type, data: round }], { expectedVersion: 'no_stream' });
      }
    }
  }

  @EventPattern(PlanningPokerRoundStarted.type)
  async onRoundStarted(@Payload() round: EventData<typeof PlanningPokerRoundStarted>, @Ctx() ctx: EventStoreContext) {
    for (const voter of round.voters) {
      const request: EventData<typeof EstimateRequested> = { simulationId: round.simulationId, sprint: round.sprint, teamId: round.teamId, featureId: round.featureId, round: round.round, voter };
      const id = derivedId('estimate', round.simulationId, round.sprint, round.featureId, round.round, voter);
      await ctx.request(EstimateRequested.type, request, id);
    }
  }

  @EventPattern('EstimateCast')
  async onEstimateCast(@Payload() cast: { simulationId: string; sprint: number; featureId: string }, @Ctx() ctx: EventStoreContext) {
    const sim = await this.context.simulation(cast.simulationId, ctx.getTx()!);
    if (!sim) return;
    const settings = { divergenceRatio: sim.config.process.pokerDivergenceRatio, maxRounds: sim.config.process.pokerMaxRounds };
    await handleCommand(this.store, pokerStream(cast.simulationId, cast.sprint, cast.featureId), pokerDecider, { type: 'Tally', settings }, {
      db: ctx.getTx()!,
      metadata: { ...causedBy(ctx.getEvent(), 'agent-execution'), simulationId: cast.simulationId },
    });
  }
}
