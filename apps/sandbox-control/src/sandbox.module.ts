import { Module } from '@nestjs/common';
import { OwnerEndsEventController } from './owner-ends/owner-ends.event.controller';
import { OwnerEndsRepository } from './owner-ends/owner-ends.repository';
import { ReadFileController } from './read-file/read-file.controller';
import { ReadFileHandler } from './read-file/read-file.handler';
import { ReaperService } from './reaper/reaper.service';
import { ReleaseSandboxController } from './release-sandbox/release-sandbox.controller';
import { ReleaseSandboxHandler } from './release-sandbox/release-sandbox.handler';
import { RequestSandboxController } from './request-sandbox/request-sandbox.controller';
import { RequestSandboxHandler } from './request-sandbox/request-sandbox.handler';
import { RunOnceController } from './run-once/run-once.controller';
import { RunOnceHandler } from './run-once/run-once.handler';
import { RunCommandController } from './run-command/run-command.controller';
import { RunCommandHandler } from './run-command/run-command.handler';
import { SandboxRuntime } from './sandbox/sandbox-runtime';
import { SandboxRepository } from './sandbox/sandbox.repository';
import { WriteFileController } from './write-file/write-file.controller';
import { WriteFileHandler } from './write-file/write-file.handler';

/**
 * Sandboxes: one folder per use case (a @MessagePattern controller feeding a handler), shared runtime and reaper;
 * owner-ends: the @EventPattern read model of tasks and simulations that ended (their sandboxes are reaped).
 */
@Module({
  controllers: [RequestSandboxController, RunCommandController, WriteFileController, ReadFileController, ReleaseSandboxController, RunOnceController, OwnerEndsEventController],
  providers: [
    SandboxRepository,
    OwnerEndsRepository,
    SandboxRuntime,
    ReaperService,
    RequestSandboxHandler,
    RunCommandHandler,
    WriteFileHandler,
    ReadFileHandler,
    ReleaseSandboxHandler,
    RunOnceHandler,
  ],
})
export class SandboxModule {}
