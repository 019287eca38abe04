import { Controller, Get, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { LlmGateway } from '@swe-sim/llm-gateway';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Prometheus text: in flight, queued, tokens, errors, retries, latency and queue-wait histograms. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly gateway: LlmGateway) {}

  @Get()
  metrics(@Res() res: ServerResponse): void {
    // Written raw: Express's send() would rewrite the content type's parameters.
    res.statusCode = 200;
    res.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
    res.end(this.gateway.metricsText());
  }
}
