import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SimulationImported, simulationStream } from '@swe-sim/contracts';
import { EventStore, Queryable } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { SimulationContext, SimulationContextRepository, TeamContext } from './simulation-context.repository';

/** Keeps agent-execution's context tables in step with the log. */
@Controller()
export class SimulationContextEventController {
  constructor(
    private readonly context: SimulationContextRepository,
    private readonly store: EventStore,
  ) {}

  @EventPattern('SimulationStarted')
  onSimulationStarted(@Ctx() ctx: EventStoreContext) {
    return this.lifecycle(ctx.getTx()!, ctx.getEvent());
  }

  @EventPattern('SimulationCompleted')
  onCompleted(@Ctx() ctx: EventStoreContext) {
    return this.lifecycle(ctx.getTx()!, ctx.getEvent());
  }

  @EventPattern('SimulationFailed')
  onFailed(@Ctx() ctx: EventStoreContext) {
    return this.lifecycle(ctx.getTx()!, ctx.getEvent());
  }

  @EventPattern('SimulationCancelled')
  onCancelled(@Ctx() ctx: EventStoreContext) {
    return this.lifecycle(ctx.getTx()!, ctx.getEvent());
  }

  /**
   * An imported simulation's events reached no handler: its start and end are taken from its
   * stream now, so that replays and forks of it find how it ran (they re-execute it).
   */
  @EventPattern(SimulationImported.type)
  async onImported(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    const tx = ctx.getTx()!;
    for (const e of await this.store.readStream(simulationStream(data.simulationId), {}, tx)) await this.lifecycle(tx, e);
  }

  /** A simulation's start and end (other events change nothing here). */
  private async lifecycle(tx: Queryable, event: { type: string; data: unknown }): Promise<void> {
    const data = event.data as { simulationId: string; code?: string; reason?: string; resumable?: boolean };
    switch (event.type) {
      case 'SimulationStarted':
        return this.context.saveSimulation(tx, event.data as SimulationContext);
      case 'SimulationCompleted':
        return this.context.markEnded(tx, data.simulationId, 'completed');
      case 'SimulationFailed': {
        const how = `failed (${data.code}: ${data.reason})`;
        // Stopped by infrastructure: tasks suspend (no outcome) and go on when the simulation is resumed.
        if (data.resumable) return this.context.markSuspended(tx, data.simulationId, how);
        return this.context.markEnded(tx, data.simulationId, how);
      }
      case 'SimulationCancelled':
        return this.context.markEnded(tx, data.simulationId, `cancelled (${data.reason})`);
    }
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
