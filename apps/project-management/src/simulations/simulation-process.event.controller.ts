import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventData, EstimateSuspended } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { ProcessInput, hasEnded, processInput, queueProcess, startProcess } from './simulation-process';
import { SimulationsRepository } from './simulations.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    if (!data.start) return this.handle('SimulationQueued', data, ctx);
    const event = ctx.getEvent();
    if (await this.simulations.load(ctx.getTx()!, data.simulationId)) return;
    await this.simulations.save(ctx.getTx()!, queueProcess(data.start, event.metadata.recordedAt), event.metadata.recordedAt, event.globalPosition);
  }

  @EventPattern('SimulationStarted')
  async onStarted(@Payload() data: Extract<ProcessInput, { type: 'SimulationStarted' }>['data'], @Ctx() ctx: EventStoreContext) {
    const event = ctx.getEvent();
    // Queued first (every start since the queue exists): the process starts from its queued state.
    if (await this.simulations.load(ctx.getTx()!, data.simulationId)) return this.handle('SimulationStarted', data, ctx);
    const process = startProcess(data, event.metadata.recordedAt);
    await this.simulations.save(ctx.getTx()!, process, event.metadata.recordedAt, event.globalPosition);
  }

  @EventPattern('SimulationResumed')
  onResumed(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('SimulationResumed', data, ctx);
  }
  @EventPattern('AgentTaskSuspended')
  onTaskSuspended(@Payload() data: unknown, @Ctx() ctx: EventStoreContext) {
    return this.handle('AgentTaskSuspended', data, ctx);
  }
  /** A vote suspended in planning stops the simulation as a suspended task does. */
  @EventPattern('EstimateSuspended')
  onEstimateSuspended(@Payload() v: EventData<typeof EstimateSuspended>, @Ctx() ctx: EventStoreContext) {
    const vote = `vote of ${v.voter} on ${v.featureId} (sprint ${v.sprint}, round ${v.round})`;
    return this.handle('AgentTaskSuspended', { taskId: vote, simulationId: v.simulationId, step: 'estimate', code: v.code, reason: v.reason, resumptions: v.resumptions }, ctx);
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

  private async handle(type: ProcessInput['type'], data: unknown, ctx: EventStoreContext) {
    const event = ctx.getEvent();
    // Every event of a simulation carries it in its metadata (sandbox facts have it only there).
    const simulationId = event.metadata.simulationId ?? (data as { simulationId?: string }).simulationId ?? '';
    if (!UUID.test(simulationId)) return;
    const tx = ctx.getTx()!;
    const state = await this.simulations.load(tx, simulationId);
    if (!state) return; // not a simulation of ours (e.g. an LLM call made outside one)
    // An ended simulation's record stays as it ended (its wall time with it), whatever comes later.
    // A resumable failure is no end: what arrives meanwhile is folded, and a resume goes on.
    if (hasEnded(state)) return;
    // A command a user ran on a copy of the workspace (POST …/exec) is not the agents' work.
    if (type === 'CommandExecuted' && event.metadata.correlationId.startsWith('exec:')) return;
    const { state: next, reactions } = processInput(state, { type, data } as ProcessInput, event.metadata.recordedAt);
    for (const r of reactions) await ctx.append(r.streamId, r.events, { expectedVersion: r.expectedVersion, metadata: { simulationId } });
    await this.simulations.save(tx, next, event.metadata.recordedAt, event.globalPosition);
  }
}
