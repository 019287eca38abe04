/** The gateway's Prometheus metrics (names and order are part of /metrics: dashboards read them). */
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, MetricsRegistry, QUEUE_BUCKETS_S } from './metrics';
import type { BackendScheduler } from './scheduler';

export class GatewayMetrics {
  private readonly registry = new MetricsRegistry();
  readonly requests: Counter;
  readonly calls: Counter;
  readonly promptTokens: Counter;
  readonly completionTokens: Counter;
  readonly errors: Counter;
  readonly retries: Counter;
  readonly repairs: Counter;
  readonly replayed: Counter;
  readonly latency: Histogram;
  readonly queueWait: Histogram;

  constructor(scheduler: BackendScheduler) {
    const r = this.registry;
    const backends = scheduler.backends;
    r.add(new Gauge('llm_gateway_in_flight', 'Requests in flight per backend.', () => backends.map((b) => [{ backend: b.name }, b.inFlight])));
    r.add(new Gauge('llm_gateway_max_in_flight', 'Bound on requests in flight per backend.', () => backends.map((b) => [{ backend: b.name }, b.maxInFlight])));
    r.add(new Gauge('llm_gateway_queued', 'Requests waiting for a slot (all backends).', () => [[{}, scheduler.queued]]));
    r.add(new Gauge('llm_gateway_queued_simulations', 'Simulations with requests waiting for a slot.', () => [[{}, scheduler.queuedSimulations()]]));
    this.requests = r.add(new Counter('llm_gateway_requests_total', 'HTTP requests sent, by backend and outcome (ok or error code).'));
    this.calls = r.add(new Counter('llm_gateway_calls_total', 'Logical calls, by outcome (ok or error code).'));
    this.promptTokens = r.add(new Counter('llm_gateway_prompt_tokens_total', 'Prompt tokens, by backend.'));
    this.completionTokens = r.add(new Counter('llm_gateway_completion_tokens_total', 'Completion tokens, by backend.'));
    this.errors = r.add(new Counter('llm_gateway_errors_total', 'Errors of HTTP attempts, by backend and code.'));
    this.retries = r.add(new Counter('llm_gateway_retries_total', 'Retries, by backend and the code of the error retried.'));
    this.repairs = r.add(new Counter('llm_gateway_repairs_total', 'Repair attempts after invalid structured output, by outcome.'));
    this.replayed = r.add(new Counter('llm_gateway_replayed_total', 'Calls answered from a replay source.'));
    this.latency = r.add(new Histogram('llm_gateway_request_latency_seconds', 'HTTP request latency per backend.', LATENCY_BUCKETS_S));
    this.queueWait = r.add(new Histogram('llm_gateway_queue_wait_seconds', 'Wait for a slot per backend.', QUEUE_BUCKETS_S));
  }

  text(): string {
    return this.registry.text();
  }
}
