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

  @EventPattern('TeamFormed')
  onTeamFormed(@Payload() data: TeamContext, @Ctx() ctx: EventStoreContext) {
    return this.context.saveTeam(ctx.getTx()!, data);
  }
}
