import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { CommandRequested, EventData } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { RunCommandHandler } from './run-command.handler';

@Controller()
export class RunCommandController {
  constructor(private readonly handler: RunCommandHandler) {}

  /**
   * Never re-run after a crash (a command is not idempotent): the transport answers RPC_INTERRUPTED,
   * and recovery records what the cut-off command changed and destroys its sandbox.
   */
  @MessagePattern(CommandRequested.type, { interrupted: 'fail' })
  handle(@Payload() data: EventData<typeof CommandRequested>, @Ctx() ctx: EventStoreContext) {
    return this.handler.execute(data, ctx.getEvent());
  }
}
