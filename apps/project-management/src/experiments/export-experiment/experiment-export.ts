import { Injectable } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { SimulationExport } from '../../simulations/export-simulation/simulation-export';
import { ChatExample } from '../../simulations/export-simulation/chat-example';
import { ExperimentsRepository, RunRow } from '../experiments.repository';
import { CallWithOutcome, FeatureOutcome, featureOfAgent, preferencePairs } from './call-outcome';

export interface ChatFilter {
  variant?: string;
  role?: string;
  /** Only calls of features that were done (merged with passing tests) or abandoned in their run. */
  outcome?: FeatureOutcome;
  metadata: boolean;
}

/** An experiment's data as JSON lines, produced run by run and call by call (never all in memory). */
@Injectable()
export class ExperimentExport {
  constructor(
    private readonly experiments: ExperimentsRepository,
    private readonly simulations: SimulationExport,
    private readonly store: EventStore,
  ) {}

  /** One line per run: variant, seed, project, its current attempt's simulation, outcome and metrics. */
  async *runs(experimentId: string): AsyncGenerator<string> {
    for (const r of await this.experiments.runs(experimentId)) yield JSON.stringify({ experimentId, ...r });
  }

  /** Every completed LLM call of the counted runs in OpenAI's chat fine-tuning format, filtered. */
  async *chat(experimentId: string, filter: ChatFilter): AsyncGenerator<string> {
    for await (const { example, run } of this.calls(experimentId, filter.variant)) {
      if (filter.role && example.call.metadata?.role !== filter.role) continue;
      if (filter.outcome && example.outcome !== filter.outcome) continue;
      const line: ChatExample = { ...example.call };
      if (filter.metadata) line.metadata = { ...example.call.metadata, experimentId, variant: run.variant, seed: run.seed, runId: run.runId, featureOutcome: example.outcome };
      else delete line.metadata;
      yield JSON.stringify(line);
    }
  }

  /** DPO pairs (call-outcome.ts) across the counted runs. */
  async *preferences(experimentId: string, variant?: string): AsyncGenerator<string> {
    const calls = this.calls(experimentId, variant);
    async function* withOutcome(): AsyncGenerator<CallWithOutcome> {
      for await (const { example } of calls) yield { example: example.call, outcome: example.outcome };
    }
    for await (const pair of preferencePairs(withOutcome())) yield JSON.stringify(pair);
  }

  private async *calls(experimentId: string, variant?: string): AsyncGenerator<{ example: { call: ChatExample; outcome: FeatureOutcome | null }; run: RunRow }> {
    const runs = (await this.experiments.runs(experimentId)).filter((r) => r.counted && r.simulationId && (!variant || r.variant === variant));
    for (const run of runs) {
      const outcomes = await this.featureOutcomes(run.simulationId!);
      for await (const call of this.simulations.chatExamples(run.simulationId!, { metadata: true })) {
        const feature = featureOfAgent(String(call.metadata?.agentId ?? ''));
        yield { example: { call, outcome: feature ? outcomes.get(feature) ?? null : null }, run };
      }
    }
  }

  /** How each feature ended in a run (a feature done in a later sprint after being carried over: done). */
  private async featureOutcomes(simulationId: string): Promise<Map<string, FeatureOutcome>> {
    const out = new Map<string, FeatureOutcome>();
    for (let after: { transactionId: string; position: number } | undefined; ; ) {
      const { events } = await this.store.readAll({ after, simulationId, types: ['FeatureDone', 'FeatureAbandoned'], limit: 1000 });
      for (const e of events) {
        const featureId = (e.data as { featureId: string }).featureId;
        if (e.type === 'FeatureDone') out.set(featureId, 'done');
        else if (!out.has(featureId)) out.set(featureId, 'abandoned');
      }
      if (events.length < 1000) return out;
      after = { transactionId: events[events.length - 1].transactionId, position: events[events.length - 1].globalPosition };
    }
  }
}
