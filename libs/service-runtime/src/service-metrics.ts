import { Inject, Injectable } from '@nestjs/common';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, Labels, Metric, MetricsRegistry } from '@swe-sim/kit';
import { EventStoreServer } from '@swe-sim/transport';
import { SERVICE_NAME } from './tokens';

type TransportHealth = Awaited<ReturnType<EventStoreServer['health']>>;

/**
 * What every service reports at GET /metrics (Prometheus text): its event consumer (active or
 * standby, events handled, lag behind the log, dead letters), its requests (pending, in flight)
 * and the process (CPU, memory, event-loop delay). A service adds its own metrics with `add` (the
 * sandboxes per Docker host) or a whole text of them with `addText` (the LLM gateway's).
 */
@Injectable()
export class ServiceMetrics {
  private readonly registry = new MetricsRegistry();
  private readonly texts: Array<() => string> = [];
  /** The transport's figures, read once per scrape (they cost two queries). */
  private transport: TransportHealth | undefined;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });

  constructor(
    @Inject(SERVICE_NAME) service: string,
    private readonly server: EventStoreServer,
  ) {
    this.loopDelay.enable();
    const labels: Labels = { service };
    const fromTransport = (read: (t: TransportHealth) => number | undefined) => (): Array<[Labels, number]> => {
      const v = this.transport ? read(this.transport) : undefined;
      return v === undefined ? [] : [[labels, v]];
    };
    const gauges: Metric[] = [
      new Gauge('swe_sim_subscription_active', 'Whether this instance is the active event consumer (1) or a standby (0)', fromTransport((t) => (t.subscription ? Number(t.subscription.active) : undefined))),
      new Gauge('swe_sim_events_handled_total', 'Events handled by this instance since it started', fromTransport((t) => t.subscription?.handled), 'counter'),
      new Gauge('swe_sim_events_lag', 'Events of the log this service has still to handle', fromTransport((t) => t.lag ?? undefined)),
      new Gauge('swe_sim_dead_letters', 'Events this service gave up on (each stops what depended on it)', fromTransport((t) => t.deadLetters)),
      new Gauge('swe_sim_requests_pending', 'Requests accepted into the inbox and not yet answered', fromTransport((t) => t.pendingRequests)),
      new Gauge('swe_sim_requests_in_flight', 'Requests this instance is handling now', fromTransport((t) => t.requestsInFlight)),
      new Gauge('process_cpu_seconds_total', 'User and system CPU time of the process', () => {
        const cpu = process.cpuUsage();
        return [[labels, (cpu.user + cpu.system) / 1e6]];
      }, 'counter'),
      new Gauge('process_resident_memory_bytes', 'Resident memory of the process', () => [[labels, process.memoryUsage.rss()]]),
      new Gauge('nodejs_eventloop_delay_p99_seconds', 'p99 of the event loop delay since the last scrape', () => [[labels, this.loopDelay.percentile(99) / 1e9]]),
    ];
    for (const g of gauges) this.registry.add(g);
  }

  add<M extends Metric>(metric: M): M {
    return this.registry.add(metric);
  }

  addText(render: () => string): void {
    this.texts.push(render);
  }

  async text(): Promise<string> {
    // The database being down must not hide the process figures: the transport's then go missing.
    this.transport = await this.server.health().catch(() => undefined);
    const text = this.registry.text() + this.texts.map((t) => t()).join('');
    this.loopDelay.reset();
    return text;
  }
}
