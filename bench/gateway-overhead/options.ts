/** Command-line flags of `npm run bench` (node bench/gateway-overhead/run.ts --help). */
import { parseArgs } from 'node:util';
import type { LoadClient } from './load.ts';
import { wrkAvailable } from './wrk.ts';
import { RAMPART_TARGETS, TARGET_NAMES, type RampartTarget, type TargetName } from './targets.ts';

export interface BenchOptions {
  durationS: number;
  warmupS: number;
  rounds: number;
  connections: number[];
  targets: TargetName[];
  streamRequests: number;
  streamChunks: number;
  chunkDelayMs: number;
  soakS: number;
  soakConnections: number;
  soakRate: number;
  soakTarget: RampartTarget;
  maxOtherCpu: number;
  json: string | null;
  cpuProf: string | null;
  /** server.threads of the rampart-threads target (the others run one data-plane thread). */
  threads: number;
  /** Load generator of the closed-loop runs (the soak always uses autocannon). */
  client: LoadClient;
  /** A git revision whose Rampart runs as the target rampart-ref, configured like `rampart`. */
  compare: string | null;
  /** Extra node flags of the rampart-ref process (with --compare HEAD: a flags-only comparison). */
  compareNodeFlags: string[];
}

export const HELP = `Usage: node bench/gateway-overhead/run.ts [options]

Drives the same load straight to a mock OpenAI upstream, through a bare Node.js proxy (the floor of
any Node gateway), through Rampart (API key, limits, audit; guard off on one thread, the same on --threads
data-plane threads, then its default guard profile) and
through Portkey, and prints latency, throughput, time to first token and Rampart's memory.
See docs/benchmarks.md.

  --duration <s>          measured seconds per run                            (default 4)
  --rounds <n>            runs per target and connection count; medians shown (default 3)
  --warmup <s>            unmeasured seconds before a target's first run      (default 1)
  --connections <list>    comma-separated connection counts                   (default 1,32)
  --targets <list>        any of direct,node-proxy,rampart,rampart-threads,rampart-guard,portkey
                          (direct always runs; default all)
  --stream-requests <n>   sequential streamed requests per target             (default 100)
  --stream-chunks <n>     content chunks per streamed answer                  (default 10)
  --chunk-delay <ms>      pause between streamed chunks at the upstream       (default 2)
  --soak <s>              seconds of steady load on Rampart for memory        (default 10; 0 = skip)
  --soak-connections <n>  connections during the soak                         (default 32)
  --soak-rate <n>         requests/s during the soak, 0 = as fast as possible (default 0)
  --soak-target <name>    rampart, rampart-threads or rampart-guard           (default rampart)
  --max-other-cpu <cores> measure a run again (twice at most, 8 times in all) when other jobs
                          on the machine used more CPU than this meanwhile    (default 0.15)
  --threads <n>           server.threads of rampart-threads (the other Rampart targets: 1) (default 2)
  --client <name>         load generator: wrk (C; apt-get install wrk) or autocannon (JavaScript,
                          in this process; takes far more of the CPU the servers share)
                                                      (default wrk when installed, else autocannon)
  --compare <git-ref>     also run that revision's Rampart as the target rampart-ref, configured
                          like rampart (one thread, guard off), from a temporary git worktree: a
                          before/after comparison in one run, immune to the machine's drift
  --compare-node-flags <flags>
                          node flags of the rampart-ref process only, space-separated
                          (e.g. --compare HEAD --compare-node-flags=--max-semi-space-size=32)
  --json <file>           also write every figure and memory sample as JSON
  --cpu-prof <dir>        run Rampart and the node proxy under node --cpu-prof, profiles into <dir>
  --help

Node flags given to this script (node --trace-gc run.ts ...) go to every server it forks; with
BENCH_CHILD_STDOUT=1 the servers' standard output reaches this terminal (e.g. to read --trace-gc).
`;

function positiveInt(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

function nonNegative(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got '${v}'`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      targets: { type: 'string' },
      'stream-requests': { type: 'string' },
      'stream-chunks': { type: 'string' },
      'chunk-delay': { type: 'string' },
      soak: { type: 'string' },
      'soak-connections': { type: 'string' },
      'soak-rate': { type: 'string' },
      'soak-target': { type: 'string' },
      'max-other-cpu': { type: 'string' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
      threads: { type: 'string' },
      client: { type: 'string' },
      compare: { type: 'string' },
      'compare-node-flags': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  const connections = (values.connections ?? '1,32').split(',').map((c) => positiveInt('connections', c.trim(), 1));
  const targets = (values.targets ?? TARGET_NAMES.join(',')).split(',').map((t) => t.trim());
  for (const t of targets) {
    if (!TARGET_NAMES.includes(t as TargetName)) throw new Error(`--targets: unknown target '${t}' (use ${TARGET_NAMES.join(', ')})`);
  }
  if (!targets.includes('direct')) targets.unshift('direct');
  const compare = values.compare ?? null;
  if (compare !== null && !/^[\w./~^@{}][\w./~^@{}-]{0,99}$/.test(compare)) throw new Error(`--compare: not a git revision: '${compare}'`);
  if (values['compare-node-flags'] !== undefined && compare === null) throw new Error('--compare-node-flags needs --compare');
  if (compare !== null) targets.splice(targets.indexOf('portkey') === -1 ? targets.length : targets.indexOf('portkey'), 0, 'rampart-ref');
  const client = values.client ?? (wrkAvailable() ? 'wrk' : 'autocannon');
  if (client !== 'wrk' && client !== 'autocannon') throw new Error(`--client must be wrk or autocannon, got '${client}'`);
  if (client === 'wrk' && !wrkAvailable()) throw new Error('--client wrk: wrk is not installed (apt-get install wrk)');
  const soakTarget = values['soak-target'] ?? 'rampart';
  if (!(RAMPART_TARGETS as readonly string[]).includes(soakTarget)) throw new Error(`--soak-target must be one of ${RAMPART_TARGETS.join(', ')}, got '${soakTarget}'`);
  return {
    durationS: positiveInt('duration', values.duration, 4),
    warmupS: positiveInt('warmup', values.warmup, 1, 0),
    rounds: positiveInt('rounds', values.rounds, 3),
    connections,
    targets: targets as TargetName[],
    streamRequests: positiveInt('stream-requests', values['stream-requests'], 100, 0),
    streamChunks: positiveInt('stream-chunks', values['stream-chunks'], 10),
    chunkDelayMs: positiveInt('chunk-delay', values['chunk-delay'], 2, 0),
    soakS: positiveInt('soak', values.soak, 10, 0),
    soakConnections: positiveInt('soak-connections', values['soak-connections'], 32),
    soakRate: positiveInt('soak-rate', values['soak-rate'], 0, 0),
    soakTarget: soakTarget as RampartTarget,
    maxOtherCpu: nonNegative('max-other-cpu', values['max-other-cpu'], 0.15),
    json: values.json ?? null,
    cpuProf: values['cpu-prof'] ?? null,
    threads: positiveInt('threads', values.threads, 2),
    client,
    compare,
    compareNodeFlags: (values['compare-node-flags'] ?? '').split(' ').filter(Boolean),
  };
}
