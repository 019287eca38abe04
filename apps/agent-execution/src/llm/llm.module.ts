import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@swe-sim/event-store';
import { EventStoreCallRecorder, LlmGateway } from '@swe-sim/llm-gateway';
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
        const gateway = new LlmGateway({ ...llmGatewayOptions(config), recorder: new EventStoreCallRecorder({ store }) });
        logger.info('LLM gateway ready', { models: gateway.models() });
        return gateway;
      },
    },
    GatewayCloser,
  ],
  exports: [LlmGateway],
})
export class LlmModule {}
