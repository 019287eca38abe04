import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventData, PersonaRegistered } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { RosterRepository } from './roster.repository';

@Controller()
export class RosterProjection {
  constructor(private readonly roster: RosterRepository) {}

  @EventPattern(PersonaRegistered.type)
  onRegistered(@Payload() data: EventData<typeof PersonaRegistered>, @Ctx() ctx: EventStoreContext) {
    const e = ctx.getEvent();
    return this.roster.add(ctx.getTx()!, data.persona, e.metadata.recordedAt, e.globalPosition);
  }
}
