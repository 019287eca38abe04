import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventStoreContext } from '@swe-sim/transport';
import { ProcessInput, hasEnded, processInput, startProcess } from './simulation-process';
import { SimulationsRepository } from './simulations.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The simulation process manager: folds each input into pm_simulations and appends its reactions,
 * all in the subscription's transaction — so each reaction happens exactly once.
 */
@Controller()
export class SimulationProcessEventController {
  constructor(private readonly simulations: SimulationsRepository) {}

  @EventPattern('SimulationStarted')
  async onStarted(@Payload() data: Extract<ProcessInput, { type: 'SimulationStarted' }>['data'], @Ctx() ctx: EventStoreContext) {
    const event = ctx.getEvent();
    if (await this.simulations.load(ctx.getTx()!, data.simulationId)) return;
    const process = startProcess(data, event.metadata.recordedAt);
    await this.simulations.save(ctx.getTx()!, process, event.metadata.recordedAt, event.globalPosition);
  }

  @EventPattern('TeamFormed')
  onTeamFormed(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('TeamFormed', data, ctx);
  }
  @EventPattern('PairFormed')
  onPairFormed(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('PairFormed', data, ctx);
  }
  @EventPattern('TeamFormationCompleted')
  onFormationCompleted(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('TeamFormationCompleted', data, ctx);
  }
  @EventPattern('TeamFormationFailed')
  onFormationFailed(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('TeamFormationFailed', data, ctx);
  }
  @EventPattern('EstimateAgreed')
  onEstimateAgreed(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('EstimateAgreed', data, ctx);
  }
  @EventPattern('FeatureDone')
  onFeatureDone(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('FeatureDone', data, ctx);
  }
  @EventPattern('FeatureAbandoned')
  onFeatureAbandoned(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('FeatureAbandoned', data, ctx);
  }
  @EventPattern('LlmCallCompleted')
  onLlmCallCompleted(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('LlmCallCompleted', data, ctx);
  }
  @EventPattern('CommandExecuted')
  onCommandExecuted(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('CommandExecuted', data, ctx);
  }
  @EventPattern('MemberMoved')
  onMemberMoved(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('MemberMoved', data, ctx);
  }
  @EventPattern('MemberJoined')
  onMemberJoined(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('MemberJoined', data, ctx);
  }
  @EventPattern('TeamsReviewed')
  onTeamsReviewed(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('TeamsReviewed', data, ctx);
  }
  @EventPattern('EventDeadLettered')
  onDeadLettered(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('EventDeadLettered', data, ctx);
  }
  @EventPattern('SimulationCancelled')
  onCancelled(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('SimulationCancelled', data, ctx);
  }

  private async handle(type: Exclude<ProcessInput['type'], 'SimulationStarted'>, data: unknown, ctx: EventStoreContext) {
    const event = ctx.getEvent();
    // Every event of a simulation carries it in its metadata (sandbox facts have it only there).
    const simulationId = event.metadata.simulationId ?? (data as { simulationId?: string }).simulationId ?? '';
    if (!UUID.test(simulationId)) return;
    const tx = ctx.getTx()!;
    const state = await this.simulations.load(tx, simulationId);
    if (!state) return; // not a simulation of ours (e.g. an LLM call made outside one)
    // An ended simulation's record stays as it ended (its wall time with it), whatever comes later.
    if (hasEnded(state)) return;
    // A command a user ran on a copy of the workspace (POST …/exec) is not the agents' work.
    if (type === 'CommandExecuted' && event.metadata.correlationId.startsWith('exec:')) return;
    const { state: next, reactions } = processInput(state, { type, data } as ProcessInput, event.metadata.recordedAt);
    for (const r of reactions) await ctx.append(r.streamId, r.events, { expectedVersion: r.expectedVersion, metadata: { simulationId } });
    await this.simulations.save(tx, next, event.metadata.recordedAt, event.globalPosition);
  }
}
