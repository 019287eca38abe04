import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AgentTaskRunRequested, EventData } from '@swe-sim/contracts';
import { TaskRunner } from './task-runner';

/** Runs a task to its end; many at once (the LLM calls of all of them fill the batch). */
@Controller()
export class RunTaskMessageController {
  constructor(private readonly runner: TaskRunner) {}

  @MessagePattern(AgentTaskRunRequested.type)
  async run(@Payload() req: EventData<typeof AgentTaskRunRequested>) {
    const ended = await this.runner.run(req.taskId);
    return { taskId: req.taskId, outcome: ended?.outcome ?? null, code: ended?.code ?? null };
  }
}
