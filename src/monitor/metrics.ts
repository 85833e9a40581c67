/**
 * Prometheus metrics. One registry per server instance (tests run several in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'rampart_requests_total',
    help: 'Requests handled, by plane, route, deployment and status.',
    labelNames: ['plane', 'route', 'deployment', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'rampart_request_duration_seconds',
    help: 'End-to-end request latency.',
    labelNames: ['plane', 'route', 'deployment'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly overhead = new Histogram({
    name: 'rampart_gateway_overhead_seconds',
    help: 'Time spent in the gateway itself (total minus waiting for the upstream).',
    labelNames: ['route'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  readonly ttft = new Histogram({
    name: 'rampart_time_to_first_token_seconds',
    help: 'Time from request to the first streamed chunk sent to the client.',
    labelNames: ['deployment'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'rampart_tokens_total',
    help: 'Tokens by direction (prompt, completion) and deployment.',
    labelNames: ['direction', 'deployment'] as const,
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'rampart_rejections_total',
    help: 'Requests refused by the gateway, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'rampart_upstream_errors_total',
    help: 'Failed upstream attempts, by target and kind (connect, timeout, http, bad-response).',
    labelNames: ['target', 'kind', 'status'] as const,
    registers: [this.registry],
  });
  readonly upstreamLatency = new Histogram({
    name: 'rampart_upstream_duration_seconds',
    help: 'Upstream time to response headers, by target.',
    labelNames: ['target'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly detections = new Counter({
    name: 'rampart_detections_total',
    help: 'Guard findings, by detector, category and the action taken.',
    labelNames: ['detector', 'category', 'action'] as const,
    registers: [this.registry],
  });
  /** Set `auditQueueDepth` to read the live queue depth at scrape time. */
  auditQueueDepth: () => number = () => 0;
  readonly auditQueue = new Gauge({
    name: 'rampart_audit_queue_depth',
    help: 'Audit events waiting to be written.',
    registers: [this.registry],
    collect: () => {
      this.auditQueue.set(this.auditQueueDepth());
    },
  });
  readonly auditDropped = new Counter({
    name: 'rampart_audit_dropped_total',
    help: 'Audit events dropped because the queue was full while the store was unreachable.',
    registers: [this.registry],
  });

  /**
   * Label children of the per-request series, by route, deployment and status: prom-client hashes
   * a label object on every call, a cached child does not. Both label sets are bounded (routes and
   * deployments come from code and config, statuses from a small set).
   */
  readonly #perRequest = new Map<string, { requests: Counter.Internal; latency: Histogram.Internal<string>; overhead: Histogram.Internal<string> }>();

  /** Counts one finished request and observes its latency and the gateway's own part of it. */
  requestDone(plane: string, route: string, deployment: string, status: number, seconds: number, overheadSeconds: number): void {
    const key = `${plane}\u0000${route}\u0000${deployment}\u0000${status}`;
    let c = this.#perRequest.get(key);
    if (!c) {
      c = {
        requests: this.requests.labels({ plane, route, deployment, status: String(status) }),
        latency: this.latency.labels({ plane, route, deployment }),
        overhead: this.overhead.labels({ route }),
      };
      this.#perRequest.set(key, c);
    }
    c.requests.inc();
    c.latency.observe(seconds);
    c.overhead.observe(overheadSeconds);
  }

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'rampart_' });
  }
}
