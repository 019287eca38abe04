import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { EventStoreCallRecorder, EventStoreReplaySource, LlmGateway } from '@swe-sim/llm-gateway';
import { CONFIG, LOGGER, JsonLogger } from '@swe-sim/service-runtime';
import { LlmConfig, llmGatewayOptions } from './llm.config';
import { MetricsController } from './metrics.controller';

class GatewayCloser implements OnApplicationShutdown {
  constructor(@Inject(LlmGateway) private readonly gateway: LlmGateway) {}

  async onApplicationShutdown(): Promise<void> {
    await this.gateway.close();
  }
}

/**
 * The LLM gateway of agent-execution, built from the LLM_* settings, recording every call
 * (LlmCallRequested / LlmCallCompleted / LlmCallFailed) in the event store; GET /metrics.
 * Inject `LlmGateway` where an agent calls the LLM.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: LlmGateway,
      inject: [CONFIG, EventStore, LOGGER],
      useFactory: (config: LlmConfig, store: EventStore, logger: JsonLogger) => {
        // Resume mode: a call already recorded (before a crash) is answered from the store, never
        // generated twice; new calls go to the LLM and are recorded.
        const gateway = new LlmGateway({
          ...llmGatewayOptions(config),
          recorder: new EventStoreCallRecorder({ store }),
          // A fresh source per lookup: nothing cached, so memory stays flat over weeks of simulations.
          replay: { lookup: (key) => new EventStoreReplaySource({ store }).lookup(key) },
          onReplayMissing: 'live',
        });
        logger.info('LLM gateway ready', { models: gateway.models() });
        return gateway;
      },
    },
    GatewayCloser,
  ],
  exports: [LlmGateway],
})
export class LlmModule {}
