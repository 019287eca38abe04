import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { EventData, SandboxRunRequested } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { RunOnceHandler } from './run-once.handler';

@Controller()
export class RunOnceController {
  constructor(private readonly handler: RunOnceHandler) {}

  /** Re-run after a crash (default): the handler reads how far the request got and never runs its command twice. */
  @MessagePattern(SandboxRunRequested.type)
  handle(@Payload() data: EventData<typeof SandboxRunRequested>, @Ctx() ctx: EventStoreContext) {
    return this.handler.execute(data, ctx.getEvent());
  }
}
