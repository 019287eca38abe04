import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { EventStoreClient } from '@swe-sim/transport';
import { RunTaskMessageController } from './run-task.message.controller';
import { SANDBOX_CLIENT, TaskRunner } from './task-runner';
import { TasksEventController } from './tasks.event.controller';

class SandboxClientCloser implements OnApplicationShutdown {
  constructor(@Inject(SANDBOX_CLIENT) private readonly client: EventStoreClient) {}
  onApplicationShutdown() {
    return this.client.close();
  }
}

@Module({
  controllers: [TasksEventController, RunTaskMessageController],
  providers: [
    TaskRunner,
    SandboxClientCloser,
    {
      // Sandbox commands can run for minutes (tests, acceptance runs): a client with a long wait.
      provide: SANDBOX_CLIENT,
      inject: [EventStore, CONFIG],
      useFactory: (store: EventStore, config: { DATABASE_URL: string }) =>
        new EventStoreClient({ store, connection: { connectionString: config.DATABASE_URL }, service: 'agent-execution', requestTimeoutMs: 15 * 60_000 }),
    },
  ],
})
export class TasksModule {}
