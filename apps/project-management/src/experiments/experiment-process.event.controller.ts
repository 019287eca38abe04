import { ConflictException, Controller, HttpException, NotFoundException } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventData, ExperimentRunStarted, SimulationFailed } from '@swe-sim/contracts';
import { EventStore, Queryable } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { CancelSimulationHandler } from '../simulations/cancel-simulation/cancel-simulation.handler';
import { ForkSimulationHandler } from '../simulations/fork-simulation/fork-simulation.handler';
import { ResumeSimulationHandler } from '../simulations/resume-simulation/resume-simulation.handler';
import { Append, LifecycleBy } from '../simulations/simulation-lifecycle';
import { startSimulationBodySchema } from '../simulations/start-simulation/simulation-config';
import { StartSimulationHandler } from '../simulations/start-simulation/start-simulation.handler';
import { ExperimentCommand, ExperimentEvent, ExperimentState, SimulationEnd, experimentDecider } from './experiment.decider';
import { ExperimentCommands } from './experiment-commands';
import { ExperimentsRepository } from './experiments.repository';
import { METRIC_EVENT_TYPES, runMetrics, runTokens } from './run-metrics';

const ACTOR = 'experiment';
const PAGE = 5000;
/** Which run rows a handling writes: all of them, or those of the runs its event names. */
const ALL_RUNS = 'all';
type RunsToSave = typeof ALL_RUNS | readonly string[];

/**
 * The experiment process manager, in project-management's subscription: on each event of an
 * experiment, and on the end of one of its runs' simulations, it decides (experiment.decider) and
 * acts — queues the runs it starts through the existing start and fork handlers, resumes and
 * cancels simulations through the existing lifecycle — all in the subscription's transaction with
 * the events that record it and the read model. Killed at any line, none of it happened and the
 * event is handled again; a run's simulation id is derived from (experiment, run, attempt), so a
 * second start of the same attempt cannot happen either.
 */
@Controller()
export class ExperimentProcessEventController {
  constructor(
    private readonly commands: ExperimentCommands,
    private readonly experiments: ExperimentsRepository,
    private readonly store: EventStore,
    private readonly starts: StartSimulationHandler,
    private readonly forks: ForkSimulationHandler,
    private readonly resumes: ResumeSimulationHandler,
    private readonly cancels: CancelSimulationHandler,
  ) {}

  // The read model's run rows change with the events that change runs, each written when its own
  // event is handled: every run at creation and extension, one run on its start, resumption and
  // end (rewriting every run on every event made an experiment's cost quadratic in its runs).
  @EventPattern('ExperimentCreated')
  onCreated(@Payload() d: { experimentId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx, ALL_RUNS);
  }
  @EventPattern('ExperimentExtended')
  onExtended(@Payload() d: { experimentId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx, ALL_RUNS);
  }
  @EventPattern('ExperimentResumed')
  onResumed(@Payload() d: { experimentId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx);
  }
  @EventPattern('ExperimentPaused')
  onPaused(@Payload() d: { experimentId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx);
  }
  @EventPattern('ExperimentRunStarted')
  onRunStarted(@Payload() d: { experimentId: string; runId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx, [d.runId]);
  }
  @EventPattern('ExperimentRunResumed')
  onRunResumed(@Payload() d: { experimentId: string; runId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx, [d.runId]);
  }
  @EventPattern('ExperimentRunEnded')
  onRunEnded(@Payload() d: { experimentId: string; runId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx, [d.runId]);
  }
  @EventPattern('ExperimentCompleted')
  onCompleted(@Payload() d: { experimentId: string }, @Ctx() ctx: EventStoreContext) {
    return this.react(d.experimentId, ctx);
  }

  /** Cancelled: every run that runs (or waits in the queue) is cancelled; their ends are not counted. */
  @EventPattern('ExperimentCancelled')
  async onCancelled(@Payload() d: { experimentId: string }, @Ctx() ctx: EventStoreContext) {
    const { state } = await this.commands.load(d.experimentId, ctx.getTx()!);
    for (const run of state.runs.filter((r) => r.status === 'running')) await this.cancel(run.simulationId!, 'the experiment was cancelled', ctx);
    await this.save(state, ctx, []);
  }

  @EventPattern('SimulationCompleted')
  onSimulationCompleted(@Payload() d: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.simulationEnded(d.simulationId, { kind: 'completed' }, ctx);
  }
  @EventPattern('SimulationFailed')
  onSimulationFailed(@Payload() d: EventData<typeof SimulationFailed>, @Ctx() ctx: EventStoreContext) {
    return this.simulationEnded(d.simulationId, { kind: 'failed', code: d.code, resumable: d.resumable ?? false }, ctx);
  }
  @EventPattern('SimulationCancelled')
  onSimulationCancelled(@Payload() d: { simulationId: string }, @Ctx() ctx: EventStoreContext) {
    return this.simulationEnded(d.simulationId, { kind: 'cancelled' }, ctx);
  }

  /** Starts what may start now (or completes the experiment), then records where it stands. */
  private async react(experimentId: string, ctx: EventStoreContext, runs: RunsToSave = []): Promise<void> {
    const state = await this.decideAndAct(experimentId, { type: 'StartRuns' }, ctx);
    await this.save(state, ctx, runs);
  }

  private async simulationEnded(simulationId: string, how: Omit<SimulationEnd, 'tokens' | 'metrics'>, ctx: EventStoreContext): Promise<void> {
    const tx = ctx.getTx()!;
    const experimentId = await this.experiments.experimentOf(tx, simulationId);
    if (!experimentId) return; // not an experiment's run
    const { state } = await this.commands.load(experimentId, tx);
    if (!state.runs.some((r) => r.simulationId === simulationId && r.status === 'running')) return;
    // Up to this end: a re-run after a kill reads the same history, so decides the same metrics.
    const metrics = runMetrics(await this.history(simulationId, ctx.getEvent().globalPosition, tx));
    await this.decideAndAct(experimentId, { type: 'EndRun', simulationId, end: { ...how, tokens: runTokens(metrics), metrics } }, ctx);
    await this.react(experimentId, ctx);
  }

  private async decideAndAct(experimentId: string, command: ExperimentCommand, ctx: EventStoreContext): Promise<ExperimentState> {
    const tx = ctx.getTx()!;
    const { state, events } = await this.commands.execute(experimentId, command, { db: tx, append: this.append(ctx), metadata: { actor: ACTOR } });
    const refused: Array<{ simulationId: string; code: string }> = [];
    for (const e of events as unknown as ExperimentEvent[]) {
      if (e.type === 'ExperimentRunStarted') {
        const code = await this.start(state, e.data, tx);
        if (code) refused.push({ simulationId: e.data.simulationId, code });
      }
      if (e.type === 'ExperimentRunResumed') await this.resume(e.data.simulationId, e.data.resumption, ctx);
      // A run given up for a new attempt (or abandoned) that failed resumable ends for good.
      if (e.type === 'ExperimentRunEnded' && (e.data.outcome === 'retried' || e.data.outcome === 'abandoned')) await this.cancel(e.data.simulationId, `experiment run ${e.data.outcome}`, ctx);
    }
    if (refused.length === 0) return state;
    // Recorded now, so the run does not wait for an end that will never come.
    let after = state;
    for (const r of refused) {
      after = (await this.commands.execute(experimentId, { type: 'EndRun', simulationId: r.simulationId, end: { kind: 'refused', code: r.code, tokens: 0 } }, { db: tx, append: this.append(ctx), metadata: { actor: ACTOR } })).state;
    }
    return after;
  }

  /**
   * An attempt's simulation, queued in this transaction by the start or fork handler with its
   * derived id. Returns the code when the handler refuses it (a 4xx: the project or the cut has
   * gone since the experiment was created); anything else throws, and the event is handled again.
   */
  private async start(state: ExperimentState, run: EventData<typeof ExperimentRunStarted>, tx: Queryable): Promise<string | null> {
    const variant = state.variants.find((v) => v.name === run.variant)!;
    const design = state.created!.design;
    const as = { simulationId: run.simulationId, db: tx, actor: ACTOR };
    try {
      if (design.type === 'counterfactual') await this.forks.execute(design.from, { atPosition: design.atPosition, overrides: variant.overrides }, as);
      else await this.starts.execute(run.projectId, startSimulationBodySchema.parse({ ...variant.overrides, seed: run.seed }), as);
      return null;
    } catch (err) {
      if (!(err instanceof HttpException) || err.getStatus() >= 500) throw err;
      const body = err.getResponse() as { code?: string };
      return typeof body === 'object' && body.code ? body.code : `HTTP_${err.getStatus()}`;
    }
  }

  private async resume(simulationId: string, resumption: number, ctx: EventStoreContext): Promise<void> {
    await this.quietly(() => this.resumes.execute(simulationId, `experiment run resumed (${resumption})`, this.by(ctx)));
  }

  private async cancel(simulationId: string, reason: string, ctx: EventStoreContext): Promise<void> {
    await this.quietly(() => this.cancels.execute(simulationId, reason, this.by(ctx)));
  }

  /** Already where it should be (ended, resume pending): nothing to do. */
  private async quietly(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (err) {
      if (!(err instanceof ConflictException) && !(err instanceof NotFoundException)) throw err;
    }
  }

  private append(ctx: EventStoreContext): Append {
    return (streamId, events, options) => ctx.append(streamId, events, options);
  }

  private by(ctx: EventStoreContext): LifecycleBy {
    return { db: ctx.getTx()!, append: this.append(ctx), actor: ACTOR };
  }

  private async save(state: ExperimentState, ctx: EventStoreContext, runs: RunsToSave): Promise<void> {
    if (!state.created) return;
    const event = ctx.getEvent();
    await this.experiments.save(ctx.getTx()!, state, event.metadata.recordedAt, event.globalPosition, runs === ALL_RUNS ? undefined : new Set(runs));
  }

  /** The simulation's events a run's metrics need, up to `toPosition`. */
  private async history(simulationId: string, toPosition: number, tx: Queryable): Promise<Array<{ type: string; data: unknown }>> {
    const out: Array<{ type: string; data: unknown }> = [];
    for (let after = 0; ; ) {
      // Only the types the metrics read: a run's prompts and sandbox output stay in the table.
      const page = await this.store.readSimulation(simulationId, { afterPosition: after, toPosition, limit: PAGE, types: METRIC_EVENT_TYPES }, tx);
      for (const e of page) out.push({ type: e.type, data: e.data });
      if (page.length < PAGE) return out;
      after = page[page.length - 1].globalPosition;
    }
  }
}
