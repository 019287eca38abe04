import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { EstimateRequested, EstimateSuspended, EstimatesDiverged, EventData, pokerStream } from '@swe-sim/contracts';
import { ConcurrencyError, DuplicateEventError, EventStore, causedBy, derivedId, handleCommand } from '@swe-sim/event-store';
import { LlmGateway } from '@swe-sim/llm-gateway';
import { EventStoreContext } from '@swe-sim/transport';
import { llmSettingsFor, personaOf } from '../context/persona-llm';
import { SimulationContextRepository } from '../context/simulation-context.repository';
import { ESTIMATE_JSON_SCHEMA, estimateAnswerSchema, estimateMessages } from './estimate.prompt';
import { FALLBACK_POINTS, pokerDecider } from './poker-round.decider';
import { RetryPolicy, backoffMs, isInfrastructureCode, retryPolicyFromEnv } from '../tasks/infrastructure-fault';

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
    // Asked again after a resume, the attempts go on past those of the earlier episodes.
    const suspensions = history.filter((e) => e.type === EstimateSuspended.type && (e.data as { voter: string; round: number }).voter === req.voter && (e.data as { round: number }).round === req.round).length;
    const first = suspensions * this.policy.maxAttempts;
    const ask = (attempt: number) => this.llm.tryComplete(request, { simulationId: req.simulationId, agentId, seq: 0, ...(attempt ? { attempt } : {}), role: 'estimator' });
    let result = await ask(first);
    for (let attempt = first + 1; !result.ok && isInfrastructureCode(result.error.code); attempt++) {
      if (attempt - first >= this.policy.maxAttempts) return this.suspend(req, result.error, attempt - first, ctx);
      await new Promise((r) => setTimeout(r, backoffMs(this.policy, attempt - first)));
      result = await ask(attempt);
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

  /**
   * Past the bound: no vote. The suspension (which fails the simulation resumable) and the request to
   * ask again on resume are recorded together; a re-run of this request finds them and records nothing twice.
   */
  private async suspend(req: EventData<typeof EstimateRequested>, error: { code: string; message: string }, attempts: number, ctx: EventStoreContext) {
    const request = ctx.getEvent();
    const run = await this.context.runState(req.simulationId);
    const data: EventData<typeof EstimateSuspended> = {
      ...req,
      code: error.code.slice(0, 100),
      reason: `the vote's LLM failed ${attempts} times: ${error.message}`.slice(0, 4000),
      resumptions: run.resumptions,
    };
    const metadata = { ...causedBy(request, 'agent-execution'), simulationId: req.simulationId };
    await this.store.transaction(async (tx) => {
      const stream = pokerStream(req.simulationId, req.sprint, req.featureId);
      const suspension = { type: EstimateSuspended.type, data, id: derivedId('estimate-suspended', request.id) };
      await this.store.append(stream, [suspension], { metadata }, tx).catch((err) => {
        if (!(err instanceof DuplicateEventError)) throw err;
      });
      await this.context.voteSuspended(tx, req.simulationId, request.id, req);
    });
    return { points: null, fallback: false, suspended: true };
  }
}
