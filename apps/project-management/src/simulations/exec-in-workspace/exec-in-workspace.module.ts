import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { EventStoreClient } from '@swe-sim/transport';
import { ExecInWorkspaceHandler } from './exec-in-workspace.handler';
import { ExecInWorkspaceHttpController, MAX_EXEC_TIMEOUT_MS } from './exec-in-workspace.http.controller';
import { CREATE_WAIT_MS, RUN_MARGIN_MS, WORKSPACE_SANDBOX_CLIENT } from './workspace-sandbox.port';

class WorkspaceSandboxClientCloser implements OnApplicationShutdown {
  constructor(@Inject(WORKSPACE_SANDBOX_CLIENT) private readonly client: EventStoreClient) {}
  onApplicationShutdown() {
    return this.client.close();
  }
}

@Module({
  controllers: [ExecInWorkspaceHttpController],
  providers: [
    ExecInWorkspaceHandler,
    WorkspaceSandboxClientCloser,
    {
      // Each request is bounded by the port; the client's own bound only has to be above the longest.
      provide: WORKSPACE_SANDBOX_CLIENT,
      inject: [EventStore, CONFIG],
      useFactory: (store: EventStore, config: { DATABASE_URL: string }) =>
        new EventStoreClient({
          store,
          connection: { connectionString: config.DATABASE_URL },
          service: 'project-management',
          requestTimeoutMs: Math.max(CREATE_WAIT_MS, MAX_EXEC_TIMEOUT_MS + RUN_MARGIN_MS) + 1_000,
        }),
    },
  ],
})
export class ExecInWorkspaceModule {}
