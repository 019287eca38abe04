import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { EventData, SandboxRequested } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { RequestSandboxHandler } from './request-sandbox.handler';

@Controller()
export class RequestSandboxController {
  constructor(private readonly handler: RequestSandboxHandler) {}

  /** Re-run after a crash (default): creation is idempotent by sandbox id. */
  @MessagePattern(SandboxRequested.type)
  handle(@Payload() data: EventData<typeof SandboxRequested>, @Ctx() ctx: EventStoreContext) {
    return this.handler.execute(data, ctx.getEvent());
  }
}
