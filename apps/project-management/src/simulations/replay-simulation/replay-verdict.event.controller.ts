import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  AgentTaskEnded,
  AgentTaskStarted,
  EventData,
  SimulationCancelled,
  SimulationCompleted,
  SimulationFailed,
  SimulationReplayCompared,
  SimulationResumed,
  simulationStream,
} from '@swe-sim/contracts';
import { EventStore, StoredEvent, derivedId } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { StartedData, wholeHistory } from '../re-execution/original-simulation';
import { compareHistories } from './history-comparison';

const END_TYPES: ReadonlySet<string> = new Set([SimulationCompleted.type, SimulationFailed.type, SimulationCancelled.type]);

/**
 * A replay's verdict, recorded once it has settled: ended, and every agent task ended (a simulation
 * that fails or is cancelled ends before its tasks do). Whichever of those comes last checks; the
 * verdict's id is derived from the replay, so it is recorded once.
 */
@Controller()
export class ReplayVerdictEventController {
  constructor(private readonly store: EventStore) {}

  @EventPattern(SimulationCompleted.type)
  onCompleted(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.settle(data.simulationId, ctx);
  }
  @EventPattern(SimulationFailed.type)
  onFailed(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.settle(data.simulationId, ctx);
  }
  @EventPattern(SimulationCancelled.type)
  onCancelled(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.settle(data.simulationId, ctx);
  }
  @EventPattern(AgentTaskEnded.type)
  onTaskEnded(@Payload() _data: unknown, @Ctx() ctx: EventStoreContext) {
    const simulationId = ctx.getEvent().metadata.simulationId;
    return simulationId ? this.settle(simulationId, ctx) : undefined;
  }

  private async settle(simulationId: string, ctx: EventStoreContext) {
    // Cheap first: the simulation's own stream is short, and most task ends come before its end.
    const own = await this.store.readStream(simulationStream(simulationId));
    const started = own[0]?.data as StartedData | undefined;
    if (!started?.replayOf || !hasEnded(own) || own.some((e) => e.type === SimulationReplayCompared.type)) return;
    const rerun = await wholeHistory(this.store, simulationId);
    if (!everyTaskEnded(rerun)) return;
    const originalId = started.replayOf.simulationId;
    const original = await wholeHistory(this.store, originalId);
    const c = compareHistories({ simulationId: originalId, events: original }, { simulationId, events: rerun });
    const verdict: EventData<typeof SimulationReplayCompared> = { simulationId, originalId, identical: c.identical, compared: c.compared, firstDivergence: c.firstDivergence };
    await ctx.append(simulationStream(simulationId), [{ type: SimulationReplayCompared.type, data: verdict, id: derivedId('replay-verdict', simulationId) }], {
      expectedVersion: 'any',
      metadata: { simulationId },
    });
  }
}

/**
 * Whether the simulation's own stream holds its end: its last lifecycle event is one, and not a
 * resumable failure (that one may be resumed — SimulationResumed — and go on).
 */
function hasEnded(own: readonly StoredEvent[]): boolean {
  const last = [...own].reverse().find((e) => END_TYPES.has(e.type) || e.type === SimulationResumed.type);
  return !!last && last.type !== SimulationResumed.type && !(last.type === SimulationFailed.type && (last.data as { resumable?: boolean }).resumable);
}

/** Every task that started has ended (with the simulation ended: nothing more will be decided). */
function everyTaskEnded(history: readonly StoredEvent[]): boolean {
  const running = new Set<string>();
  for (const e of history) {
    if (e.type === AgentTaskStarted.type) running.add((e.data as EventData<typeof AgentTaskStarted>).taskId);
    if (e.type === AgentTaskEnded.type) running.delete((e.data as EventData<typeof AgentTaskEnded>).taskId);
  }
  return running.size === 0;
}
