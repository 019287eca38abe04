import { Injectable } from '@nestjs/common';
import { EventData, ReleaseReply, SandboxReleased } from '@swe-sim/contracts';
import { StoredEvent } from '@swe-sim/event-store';
import { ReaperService } from '../reaper/reaper.service';
import { SandboxRuntime } from '../sandbox/sandbox-runtime';
import { assertLive } from '../sandbox/sandbox.decider';

/** SandboxReleased → the container removed (a scratch workspace too; a team's stays) → SandboxDestroyed. Idempotent. */
@Injectable()
export class ReleaseSandboxHandler {
  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly reaper: ReaperService,
  ) {}

  async execute(data: EventData<typeof SandboxReleased>, request: StoredEvent): Promise<ReleaseReply> {
    await this.reaper.ready();
    const { runtime } = this;
    const state = await runtime.load(data.sandboxId);
    if (state.status === 'destroyed') return { sandboxId: data.sandboxId, destroyed: true };
    const live = assertLive(state, data.sandboxId);
    await this.reaper.destroy(live.sandboxId, live.engine, 'released', request.id, runtime.metadataFor(request), { removeInBackground: true });
    return { sandboxId: data.sandboxId, destroyed: true };
  }
}
