import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventData, formationStream, MemberJoined, MemberMoved, PairFormed, SimulationCancelled, SimulationCompleted, SimulationFailed, SimulationStarted, SprintEnded, TeamFormed, simulationStream } from '@swe-sim/contracts';
import { EventStore, fold } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { FormationEvent, formationDecider } from './formation.decider';
import { reviewTeams } from './review-teams';
import { TeamsRepository } from './teams.repository';

const SIMULATION_ENDS: ReadonlySet<string> = new Set([SimulationCompleted.type, SimulationFailed.type, SimulationCancelled.type]);

/**
 * On SimulationStarted: form the teams and append every formation event in one append to
 * formation-<simulationId>, inside the subscription's transaction (exactly once with the
 * checkpoint). A replayed SimulationStarted folds the stream first and decides nothing.
 */
@Controller()
export class FormTeamsEventController {
  constructor(
    private readonly store: EventStore,
    private readonly teams: TeamsRepository,
  ) {}

  @EventPattern(SimulationStarted.type)
  async onSimulationStarted(@Payload() started: EventData<typeof SimulationStarted>, @Ctx() ctx: EventStoreContext) {
    const stream = formationStream(started.simulationId);
    const history = await this.store.readStream(stream, {}, ctx.getTx() ?? undefined);
    const events = formationDecider.decide(
      {
        type: 'FormTeams',
        data: {
          simulationId: started.simulationId,
          seed: started.config.seed,
          input: {
            stack: started.project.stack,
            backlog: started.project.backlog,
            roster: started.config.roster,
            teams: started.config.teams,
            teamSize: started.config.teamSize,
            pairing: started.config.process.pairing,
          },
        },
      },
      fold(formationDecider, history as unknown as FormationEvent[]),
    );
    if (events.length === 0) return;
    await ctx.append(stream, events, { expectedVersion: history.length === 0 ? 'no_stream' : history.length });
  }

  /** Between sprints: members move where needs changed, then TeamsReviewed lets the next sprint be planned. */
  @EventPattern(SprintEnded.type)
  async onSprintEnded(@Payload() ended: EventData<typeof SprintEnded>, @Ctx() ctx: EventStoreContext) {
    const tx = ctx.getTx() ?? undefined;
    const simulation = await this.store.readStream(simulationStream(ended.simulationId), {}, tx);
    const [first] = simulation;
    if (!first || first.type !== SimulationStarted.type) return;
    // The last sprint's end comes with the simulation's (one transaction): no review after that. A
    // resumable failure (infrastructure) is no end: the sprint ends after the resume, and is reviewed.
    if (simulation.some((e) => SIMULATION_ENDS.has(e.type) && !(e.data as { resumable?: boolean }).resumable)) return;
    const stream = formationStream(ended.simulationId);
    const history = await this.store.readStream(stream, {}, tx);
    const events = reviewTeams(history as unknown as FormationEvent[], first.data as EventData<typeof SimulationStarted>, ended);
    if (events.length) await ctx.append(stream, events, { expectedVersion: history.length });
  }

  @EventPattern(TeamFormed.type)
  async onTeamFormed(@Payload() team: EventData<typeof TeamFormed>, @Ctx() ctx: EventStoreContext) {
    await this.teams.teamFormed(ctx.getTx()!, team);
  }

  @EventPattern(PairFormed.type)
  async onPairFormed(@Payload() pair: EventData<typeof PairFormed>, @Ctx() ctx: EventStoreContext) {
    await this.teams.pairFormed(ctx.getTx()!, pair);
  }

  @EventPattern(MemberJoined.type)
  async onMemberJoined(@Payload() joined: EventData<typeof MemberJoined>, @Ctx() ctx: EventStoreContext) {
    await this.teams.memberJoined(ctx.getTx()!, joined);
  }

  @EventPattern(MemberMoved.type)
  async onMemberMoved(@Payload() move: EventData<typeof MemberMoved>, @Ctx() ctx: EventStoreContext) {
    await this.teams.memberMoved(ctx.getTx()!, move);
  }
}
