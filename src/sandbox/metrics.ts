/**
 * The sandbox's Prometheus series, on the server's registry. Labels are bounded: languages and
 * kill reasons come from code, outcomes from a fixed list.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '../monitor/metrics.ts';

export type ExecutionOutcome = 'succeeded' | 'failed' | 'killed' | 'refused' | 'error';

export class SandboxMetrics {
  readonly executions: Counter<'language' | 'outcome'>;
  readonly duration: Histogram<'language'>;
  readonly kills: Counter<'reason'>;
  readonly outputBytes: Counter<'language'>;
  readonly allocation: Histogram<'source'>;
  readonly sessions: Gauge;
  readonly poolIdle: Gauge;

  constructor(metrics: Metrics, live: { sessions(): number; poolIdle(): number }) {
    const registers = [metrics.registry];
    this.executions = new Counter({ name: 'rampart_sandbox_executions_total', help: 'Sandbox executions, by language and outcome (succeeded, failed, killed, refused, error).', labelNames: ['language', 'outcome'], registers });
    this.duration = new Histogram({
      name: 'rampart_sandbox_execution_duration_seconds',
      help: 'Wall-clock time of sandbox executions, by language.',
      labelNames: ['language'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.kills = new Counter({ name: 'rampart_sandbox_kills_total', help: 'Sandbox executions stopped by a limit, by reason (timeout, memory, output, pids, disk, aborted).', labelNames: ['reason'], registers });
    this.outputBytes = new Counter({ name: 'rampart_sandbox_output_bytes_total', help: 'Bytes sandbox programs wrote to stdout and stderr (including what was cut).', labelNames: ['language'], registers });
    this.allocation = new Histogram({
      name: 'rampart_sandbox_allocation_seconds',
      help: 'Time to get a new session its environment: from the pool, or created while the caller waited.',
      labelNames: ['source'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.sessions = new Gauge({ name: 'rampart_sandbox_sessions', help: 'Sandbox sessions open.', registers, collect: () => this.sessions.set(live.sessions()) });
    this.poolIdle = new Gauge({ name: 'rampart_sandbox_pool_idle', help: 'Pre-started sandbox environments waiting for a session.', registers, collect: () => this.poolIdle.set(live.poolIdle()) });
  }
}
