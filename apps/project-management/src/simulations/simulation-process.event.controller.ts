import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventStoreContext } from '@swe-sim/transport';
import { ProcessInput, hasEnded, processInput, queueProcess, startProcess } from './simulation-process';
import { processInputOf } from './simulation-process-input';
import { SimulationsRepository } from './simulations.repository';

/**
 * The simulation process manager: folds each input into pm_simulations and appends its reactions,
 * all in the subscription's transaction — so each reaction happens exactly once.
 */
@Controller()
export class SimulationProcessEventController {
  constructor(private readonly simulations: SimulationsRepository) {}

  /** A simulation's first event (a resume's is folded as an input): it is listed, queued, from now on. */
  @EventPattern('SimulationQueued')
  async onQueued(@Payload() data: Extract<ProcessInput, { type: 'SimulationQueued' }>['data'], @Ctx() ctx: EventStoreContext) {
    if (!data.start) return this.handle(ctx);
    const event = ctx.getEvent();
    if (await this.simulations.load(ctx.getTx()!, data.simulationId)) return;
    await this.simulations.save(ctx.getTx()!, queueProcess(data.start, event.metadata.recordedAt), event.metadata.recordedAt, event.globalPosition);
  }

  @EventPattern('SimulationStarted')
  async onStarted(@Payload() data: Extract<ProcessInput, { type: 'SimulationStarted' }>['data'], @Ctx() ctx: EventStoreContext) {
    const event = ctx.getEvent();
    // Queued first (every start since the queue exists): the process starts from its queued state.
    if (await this.simulations.load(ctx.getTx()!, data.simulationId)) return this.handle(ctx);
    const process = startProcess(data, event.metadata.recordedAt);
    await this.simulations.save(ctx.getTx()!, process, event.metadata.recordedAt, event.globalPosition);
  }

  @EventPattern('SimulationResumed')
  onResumed(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('AgentTaskSuspended')
  onTaskSuspended(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('EstimateSuspended')
  onEstimateSuspended(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }

  @EventPattern('TeamFormed')
  onTeamFormed(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('PairFormed')
  onPairFormed(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('TeamFormationCompleted')
  onFormationCompleted(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('TeamFormationFailed')
  onFormationFailed(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('EstimateAgreed')
  onEstimateAgreed(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('FeatureDone')
  onFeatureDone(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('FeatureAbandoned')
  onFeatureAbandoned(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('LlmCallCompleted')
  onLlmCallCompleted(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('CommandExecuted')
  onCommandExecuted(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('MemberMoved')
  onMemberMoved(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('MemberJoined')
  onMemberJoined(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('TeamsReviewed')
  onTeamsReviewed(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('EventDeadLettered')
  onDeadLettered(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }
  @EventPattern('SimulationCancelled')
  onCancelled(@Ctx() ctx: EventStoreContext) {
    return this.handle(ctx);
  }

  private async handle(ctx: EventStoreContext) {
    const event = ctx.getEvent();
    const read = processInputOf(event);
    if (!read) return;
    const { simulationId, input } = read;
    const tx = ctx.getTx()!;
    const state = await this.simulations.load(tx, simulationId);
    if (!state) return; // not a simulation of ours (e.g. an LLM call made outside one)
    // An ended simulation's record stays as it ended (its wall time with it), whatever comes later.
    // A resumable failure is no end: what arrives meanwhile is folded, and a resume goes on.
    if (hasEnded(state)) return;
    const { state: next, reactions } = processInput(state, input, event.metadata.recordedAt);
    for (const r of reactions) await ctx.append(r.streamId, r.events, { expectedVersion: r.expectedVersion, metadata: { simulationId } });
    await this.simulations.save(tx, next, event.metadata.recordedAt, event.globalPosition);
  }
}
