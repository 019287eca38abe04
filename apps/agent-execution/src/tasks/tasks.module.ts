import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { EventStoreClient } from '@swe-sim/transport';
import { RunTaskMessageController } from './run-task.message.controller';
import { REPOSITORY_LOCKS, SANDBOX_CLIENT, TASK_RETRY_POLICY, TaskRunner } from './task-runner';
import { LOGGER, JsonLogger } from '@swe-sim/service-runtime';
import { RepositoryLocks } from './repository-locks';
import { retryPolicyFromEnv } from './infrastructure-fault';
import { TasksEventController } from './tasks.event.controller';
import { ProgramRunner } from '../programs/program-runner';

class SandboxClientCloser implements OnApplicationShutdown {
  constructor(
    @Inject(SANDBOX_CLIENT) private readonly client: EventStoreClient,
    @Inject(REPOSITORY_LOCKS) private readonly locks: RepositoryLocks,
  ) {}
  async onApplicationShutdown() {
    await Promise.all([this.client.close(), this.locks.close()]);
  }
}

@Module({
  controllers: [TasksEventController, RunTaskMessageController],
  providers: [
    TaskRunner,
    ProgramRunner,
    SandboxClientCloser,
    { provide: TASK_RETRY_POLICY, useFactory: () => retryPolicyFromEnv() },
    {
      // One connection of its own for the repository locks (counted in the README's connection budget).
      provide: REPOSITORY_LOCKS,
      inject: [CONFIG, LOGGER],
      useFactory: (config: { DATABASE_URL: string }, log: JsonLogger) => new RepositoryLocks({ connectionString: config.DATABASE_URL }, log),
    },
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
