import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { Public } from './public-route';
import { ServiceMetrics } from './service-metrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

@Public()
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  @ApiOperation({ summary: 'Metrics', description: "This service's Prometheus metrics: its event consumer and lag, its requests, the process, and its own (LLM calls, sandboxes per host). Needs no key." })
  @ApiProduces(PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4' })
  async scrape(@Res() res: ServerResponse): Promise<void> {
    const text = await this.metrics.text();
    // Written raw: Express's send() would rewrite the content type's parameters.
    res.statusCode = 200;
    res.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
    res.end(text);
  }
}
