import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AgentTaskRunRequested, AgentTaskStarted, EstimateRequested, EventData, FeatureAssigned, SimulationResumed, taskIdOf, taskStream } from '@swe-sim/contracts';
import { derivedId } from '@swe-sim/event-store';
import { EventStoreContext } from '@swe-sim/transport';
import { SimulationContextRepository } from '../context/simulation-context.repository';

/** A feature assigned in a sprint becomes an agent task, started and run (as a request) exactly once. */
@Controller()
export class TasksEventController {
  constructor(private readonly context: SimulationContextRepository) {}

  @EventPattern(FeatureAssigned.type)
  async onFeatureAssigned(@Payload() a: EventData<typeof FeatureAssigned>, @Ctx() ctx: EventStoreContext) {
    const sim = await this.context.simulation(a.simulationId, ctx.getTx()!);
    if (!sim) throw new Error(`simulation ${a.simulationId} is not known`);
    const taskId = taskIdOf(a.simulationId, a.featureId, a.sprint);
    const started: EventData<typeof AgentTaskStarted> = {
      taskId,
      simulationId: a.simulationId,
      sprint: a.sprint,
      teamId: a.teamId,
      featureId: a.featureId,
      driver: a.driver,
      navigator: a.navigator,
      reviewer: a.reviewer,
      branch: `feature/${a.featureId}`,
      workdir: `.worktrees/${a.featureId}`,
      budget: { maxTurns: sim.config.budgets.maxTurnsPerTask, maxTokens: sim.config.budgets.maxTokens },
      swapEveryTurns: sim.config.process.swapEveryTurns,
      // An agent program drives alone: each step runs it instead of the built-in loop.
      ...(sim.config.roster.find((p) => p.personaId === a.driver)?.program ? { program: true as const } : {}),
    };
    await ctx.append(taskStream(taskId), [{ type: AgentTaskStarted.type, data: started }], { expectedVersion: 'no_stream' });
    await ctx.request(AgentTaskRunRequested.type, { taskId }, derivedId('run-task', taskId));
  }

  /** A resumed simulation: its suspended tasks run again (each records AgentTaskResumed and goes on where it stopped). */
  @EventPattern(SimulationResumed.type)
  async onSimulationResumed(@Payload() r: EventData<typeof SimulationResumed>, @Ctx() ctx: EventStoreContext) {
    const suspended = await this.context.markResumed(ctx.getTx()!, r.simulationId, r.resumption);
    for (const taskId of suspended) await ctx.request(AgentTaskRunRequested.type, { taskId }, derivedId('run-task', taskId, 'resume', r.resumption));
    // Votes suspended in planning: asked again (their attempts go on past the earlier episode's).
    for (const vote of await this.context.takeSuspendedVotes(ctx.getTx()!, r.simulationId)) {
      await ctx.request(EstimateRequested.type, vote.request, derivedId(vote.requestId, 'resume', r.resumption));
    }
  }
}
