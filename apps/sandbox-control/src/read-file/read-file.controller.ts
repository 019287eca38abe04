import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EventData, FileReadRequested } from '@swe-sim/contracts';
import { ReadFileHandler } from './read-file.handler';

@Controller()
export class ReadFileController {
  constructor(private readonly handler: ReadFileHandler) {}

  @MessagePattern(FileReadRequested.type)
  handle(@Payload() data: EventData<typeof FileReadRequested>) {
    return this.handler.execute(data);
  }
}
