import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { EventStoreCallRecorder, LlmGateway } from '@swe-sim/llm-gateway';
import { CONFIG, LOGGER, JsonLogger, PG_POOL, ServiceMetrics } from '@swe-sim/service-runtime';
import { Pool } from 'pg';
import { SimulationContextRepository } from '../context/simulation-context.repository';
import { OriginReplaySource } from '../replay/origin-replay-source';
import { LlmConfig, llmGatewayOptions } from './llm.config';

class GatewayCloser implements OnApplicationShutdown {
  constructor(@Inject(LlmGateway) private readonly gateway: LlmGateway) {}

  async onApplicationShutdown(): Promise<void> {
    await this.gateway.close();
  }
}

/**
 * The LLM gateway of agent-execution, built from the LLM_* settings, recording every call
 * (LlmCallRequested / LlmCallCompleted / LlmCallFailed) in the event store; its metrics join the
 * service's GET /metrics.
 * Inject `LlmGateway` where an agent calls the LLM.
 */
@Global()
@Module({
  providers: [
    {
      provide: LlmGateway,
      inject: [CONFIG, EventStore, LOGGER, PG_POOL, ServiceMetrics],
      useFactory: (config: LlmConfig, store: EventStore, logger: JsonLogger, pool: Pool, metrics: ServiceMetrics) => {
        // Resume mode: a call already recorded (before a crash) is answered from the store, never
        // generated twice; a replay or a fork takes the original's answers; new calls go to the
        // LLM and are recorded.
        const answers = new OriginReplaySource(store, new SimulationContextRepository(pool));
        const gateway = new LlmGateway({
          ...llmGatewayOptions(config),
          recorder: new EventStoreCallRecorder({ store }),
          replay: answers,
          onReplayMissing: (key) => answers.onMissing(key),
        });
        metrics.addText(() => gateway.metricsText());
        logger.info('LLM gateway ready', { models: gateway.models() });
        return gateway;
      },
    },
    GatewayCloser,
  ],
  exports: [LlmGateway],
})
export class LlmModule {}
