import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventStoreContext } from '@swe-sim/transport';
import { SimulationContext, SimulationContextRepository, TeamContext } from './simulation-context.repository';

/** Keeps agent-execution's context tables in step with the log. */
@Controller()
export class SimulationContextEventController {
  constructor(private readonly context: SimulationContextRepository) {}

  @EventPattern('SimulationStarted')
  onSimulationStarted(@Payload() data: SimulationContext, @Ctx() ctx: EventStoreContext) {
    return this.context.saveSimulation(ctx.getTx()!, data);
  }

  @EventPattern('SimulationCompleted')
  onCompleted(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.context.markEnded(ctx.getTx()!, data.simulationId, 'completed');
  }

  @EventPattern('SimulationFailed')
  onFailed(@Payload() data: { simulationId: string; code: string; reason: string; resumable?: boolean }, @Ctx() ctx: EventStoreContext) {
    const how = `failed (${data.code}: ${data.reason})`;
    // Stopped by infrastructure: tasks suspend (no outcome) and go on when the simulation is resumed.
    if (data.resumable) return this.context.markSuspended(ctx.getTx()!, data.simulationId, how);
    return this.context.markEnded(ctx.getTx()!, data.simulationId, how);
  }

  @EventPattern('SimulationCancelled')
  onCancelled(@Payload() data: { simulationId: string; reason: string }, @Ctx() ctx: EventStoreContext) {
    return this.context.markEnded(ctx.getTx()!, data.simulationId, `cancelled (${data.reason})`);
  }

  @EventPattern('MemberJoined')
  onMemberJoined(@Payload() data: { simulationId: string; teamId: string; member: any }, @Ctx() ctx: EventStoreContext) {
    return this.context.memberJoined(ctx.getTx()!, data);
  }

  @EventPattern('MemberMoved')
  onMemberMoved(@Payload() data: { simulationId: string; personaId: string; fromTeamId: string; toTeamId: string }, @Ctx() ctx: EventStoreContext) {
    return this.context.memberMoved(ctx.getTx()!, data);
  }

  @EventPattern('TeamFormed')
  onTeamFormed(@Payload() data: TeamContext, @Ctx() ctx: EventStoreContext) {
    return this.context.saveTeam(ctx.getTx()!, data);
  }
}
