import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { EventData, SandboxReleased } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { ReleaseSandboxHandler } from './release-sandbox.handler';

@Controller()
export class ReleaseSandboxController {
  constructor(private readonly handler: ReleaseSandboxHandler) {}

  @MessagePattern(SandboxReleased.type)
  handle(@Payload() data: EventData<typeof SandboxReleased>, @Ctx() ctx: EventStoreContext) {
    return this.handler.execute(data, ctx.getEvent());
  }
}
