// The Prometheus primitives live in libs/kit (every service exposes /metrics); the gateway uses them.
export { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, MetricsRegistry, QUEUE_BUCKETS_S } from '@swe-sim/kit';
