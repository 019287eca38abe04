import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { EventData, FileWriteRequested } from '@swe-sim/contracts';
import { EventStoreContext } from '@swe-sim/transport';
import { WriteFileHandler } from './write-file.handler';

@Controller()
export class WriteFileController {
  constructor(private readonly handler: WriteFileHandler) {}

  /** Re-run after a crash: writing the same bytes again is harmless. */
  @MessagePattern(FileWriteRequested.type)
  handle(@Payload() data: EventData<typeof FileWriteRequested>, @Ctx() ctx: EventStoreContext) {
    return this.handler.execute(data, ctx.getEvent());
  }
}
