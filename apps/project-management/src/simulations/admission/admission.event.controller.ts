import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Queryable } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { EventStoreContext } from '@swe-sim/transport';
import { SimulationLifecycle } from '../simulation-lifecycle';
import { pickAdmissions } from './admission';
import { SimulationSlotsRepository, SlotState } from './simulation-slots.repository';

/** Rounds of admission in one transaction at most (each round admits or drops at least one request). */
const MAX_ROUNDS = 1000;

/**
 * At most SIMULATIONS_MAX_RUNNING simulations run at once; the others wait, queued. Whenever a
 * simulation's lifecycle moves (queued, started, resumed, ended, failed, cancelled) this records
 * where it stands and gives the free slots to the waiting requests (fairly across projects), by
 * recording their SimulationStarted or SimulationResumed — all in the subscription's transaction,
 * under a transaction lock: killed at any line, nothing of it happened, and the event is handled
 * again; two instances cannot both count the same free slot.
 */
@Controller()
export class AdmissionEventController {
  constructor(
    private readonly lifecycle: SimulationLifecycle,
    private readonly slots: SimulationSlotsRepository,
    @Inject(CONFIG) private readonly config: { SIMULATIONS_MAX_RUNNING: number },
  ) {}

  @EventPattern('SimulationQueued')
  onQueued(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.moved(data.simulationId, ctx);
  }
  @EventPattern('SimulationStarted')
  onStarted(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.moved(data.simulationId, ctx);
  }
  @EventPattern('SimulationResumed')
  onResumed(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.moved(data.simulationId, ctx);
  }
  @EventPattern('SimulationCompleted')
  onCompleted(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.moved(data.simulationId, ctx);
  }
  @EventPattern('SimulationFailed')
  onFailed(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.moved(data.simulationId, ctx);
  }
  @EventPattern('SimulationCancelled')
  onCancelled(@Payload() data: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.moved(data.simulationId, ctx);
  }

  private async moved(simulationId: string, ctx: EventStoreContext): Promise<void> {
    const tx = ctx.getTx()!;
    await this.slots.lock(tx);
    await this.record(tx, simulationId);
    await this.admit(ctx, tx);
  }

  /** The slot row follows the lifecycle as the streams hold it now (this transaction's appends included). */
  private async record(tx: Queryable, simulationId: string): Promise<void> {
    const { state, requestedAt } = await this.lifecycle.load(simulationId, tx);
    if (state.status === 'none' || !state.projectId) return;
    const slot: SlotState =
      state.status === 'queued' || (state.status === 'suspended' && state.resumeQueued) ? 'queued' : state.status === 'running' ? 'running' : 'free';
    await this.slots.set(tx, simulationId, state.projectId, slot, requestedAt);
  }

  private async admit(ctx: EventStoreContext, tx: Queryable): Promise<void> {
    const limit = this.config.SIMULATIONS_MAX_RUNNING;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const running = await this.slots.runningByProject(tx);
      const free = limit - Object.values(running).reduce((n, c) => n + c, 0);
      if (free <= 0) return;
      const picks = pickAdmissions(limit, running, await this.slots.waiting(tx, free));
      if (picks.length === 0) return;
      let dropped = false;
      for (const pick of picks) {
        const { events } = await this.lifecycle.execute(
          { type: 'AdmitSimulation', simulationId: pick.simulationId },
          { db: tx, append: (streamId, events, options) => ctx.append(streamId, events, options) },
        );
        // Nothing to record: it was cancelled while it waited; its slot goes to the next one.
        if (events.length === 0) dropped = true;
        await this.record(tx, pick.simulationId);
      }
      if (!dropped) return;
    }
  }
}
