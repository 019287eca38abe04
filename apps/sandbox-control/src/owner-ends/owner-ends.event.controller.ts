import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  AgentTaskEnded,
  AgentTaskSuspended,
  EventData,
  SimulationCancelled,
  SimulationCompleted,
  SimulationFailed,
} from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { OwnerKind, OwnerEndsRepository } from './owner-ends.repository';

/**
 * The ends of the owners of sandboxes (agent tasks, simulations) into sc_owner_ends, in the
 * subscription's transaction (exactly once with its checkpoint); the reaper removes their sandboxes.
 * A suspended task or a failed simulation may be resumed: it then asks for new sandboxes, which
 * come after this end in the log and so stay (the end's position is what is kept).
 */
@Controller()
export class OwnerEndsEventController {
  constructor(private readonly ends: OwnerEndsRepository) {}

  @EventPattern(AgentTaskEnded.type)
  onTaskEnded(@Payload() data: EventData<typeof AgentTaskEnded>, @Ctx() ctx: EventStoreContext) {
    return this.record(ctx, 'task', data.taskId);
  }

  @EventPattern(AgentTaskSuspended.type)
  onTaskSuspended(@Payload() data: EventData<typeof AgentTaskSuspended>, @Ctx() ctx: EventStoreContext) {
    return this.record(ctx, 'task', data.taskId, data.simulationId);
  }

  @EventPattern(SimulationCompleted.type)
  onSimulationCompleted(@Payload() data: EventData<typeof SimulationCompleted>, @Ctx() ctx: EventStoreContext) {
    return this.record(ctx, 'simulation', data.simulationId, data.simulationId);
  }

  /** Resumable or not: a resumed simulation makes new sandboxes. */
  @EventPattern(SimulationFailed.type)
  onSimulationFailed(@Payload() data: EventData<typeof SimulationFailed>, @Ctx() ctx: EventStoreContext) {
    return this.record(ctx, 'simulation', data.simulationId, data.simulationId);
  }

  @EventPattern(SimulationCancelled.type)
  onSimulationCancelled(@Payload() data: EventData<typeof SimulationCancelled>, @Ctx() ctx: EventStoreContext) {
    return this.record(ctx, 'simulation', data.simulationId, data.simulationId);
  }

  private record(ctx: EventStoreContext, kind: OwnerKind, ownerId: string, simulationId?: string) {
    const event = ctx.getEvent();
    return this.ends.recordEnd(ctx.getTx()!, kind, ownerId, simulationId ?? event.metadata.simulationId ?? null, event.globalPosition, event.type);
  }
}
