import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { EstimateRequested, EstimatesDiverged, EventData, pokerStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore, causedBy, handleCommand } from '@swe-sim/event-store';
import { LlmGateway } from '@swe-sim/llm-gateway';
import { EventStoreContext } from '@swe-sim/transport';
import { llmSettingsFor, personaOf } from '../context/persona-llm';
import { SimulationContextRepository } from '../context/simulation-context.repository';
import { ESTIMATE_JSON_SCHEMA, estimateAnswerSchema, estimateMessages } from './estimate.prompt';
import { FALLBACK_POINTS, pokerDecider } from './poker-round.decider';
import { LlmInfrastructureError, RetryPolicy, backoffMs, isInfrastructureCode, retryPolicyFromEnv } from '../tasks/infrastructure-fault';

/** About a quarter of an hour of an LLM that stays down (back-off capped at TASK_RETRY_MAX_MS) before the request fails. */
const ESTIMATE_MAX_ATTEMPTS = 32;

/**
 * One voter's estimate: an LLM call with structured output, recorded, then the vote. Runs
 * concurrently with every other vote (this is what fills the LLM's batch during planning). An
 * unusable answer becomes a recorded fallback vote, never a stuck round.
 */
@Controller()
export class CastEstimateMessageController {
  private readonly policy: RetryPolicy = retryPolicyFromEnv();

  constructor(
    private readonly context: SimulationContextRepository,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(LlmGateway) private readonly llm: LlmGateway,
  ) {}

  @MessagePattern(EstimateRequested.type)
  async estimate(@Payload() req: EventData<typeof EstimateRequested>, @Ctx() ctx: EventStoreContext) {
    const sim = await this.context.simulation(req.simulationId);
    if (!sim) throw new Error(`simulation ${req.simulationId} is not known`);
    const persona = personaOf(sim, req.voter);
    const feature = sim.project.backlog.find((b) => b.featureId === req.featureId);
    if (!feature) throw new Error(`feature ${req.featureId} is not in the backlog`);
    const stream = pokerStream(req.simulationId, req.sprint, req.featureId);
    const history = await this.store.readStream(stream);
    const diverged = history.filter((e) => e.type === 'EstimatesDiverged').map((e) => e.data as EventData<typeof EstimatesDiverged>).find((d) => d.round === req.round - 1) ?? null;
    const names = Object.fromEntries(sim.config.roster.map((p) => [p.personaId, p.name]));
    const { model, sampling } = llmSettingsFor(sim, persona);
    const request = {
      model,
      sampling,
      messages: estimateMessages(persona, sim.project, feature, req.round, diverged, names),
      structured: { name: 'estimate', jsonSchema: ESTIMATE_JSON_SCHEMA, zod: estimateAnswerSchema },
    };
    const agentId = `${req.voter}/poker-s${req.sprint}-${req.featureId}-r${req.round}`;
    // An LLM that is down or failing is not the voter's opinion: ask again (each attempt a call of
    // its own, recorded) rather than cast a fallback vote; the fallback is for unusable answers only.
    let result = await this.llm.tryComplete(request, { simulationId: req.simulationId, agentId, seq: 0, role: 'estimator' });
    for (let attempt = 1; !result.ok && isInfrastructureCode(result.error.code); attempt++) {
      if (attempt >= ESTIMATE_MAX_ATTEMPTS) throw new LlmInfrastructureError(result.error.code, `the estimate's LLM failed ${attempt} times: ${result.error.message}`);
      await new Promise((r) => setTimeout(r, backoffMs(this.policy, attempt)));
      result = await this.llm.tryComplete(request, { simulationId: req.simulationId, agentId, seq: 0, attempt, role: 'estimator' });
    }
    const vote = result.ok
      ? { ...(result.response.parsed as { points: number; rationale: string }), llmSeq: 0, fallback: false }
      : { points: FALLBACK_POINTS, rationale: `no usable estimate (${result.error.code}): the middle of the scale`, llmSeq: null, fallback: true };
    const metadata = { ...causedBy(ctx.getEvent(), 'agent-execution'), simulationId: req.simulationId };
    for (let attempt = 0; ; attempt++) {
      try {
        await handleCommand(this.store, stream, pokerDecider, { type: 'CastEstimate', data: { voter: req.voter, round: req.round, ...vote } as never }, { metadata });
        return { points: vote.points, fallback: vote.fallback };
      } catch (err) {
        // Other votes land on the same stream at the same time: decide again on fresh state.
        if (!(err instanceof ConcurrencyError) || attempt >= 20) throw err;
      }
    }
  }
}
