/**
 * bench/gateway-overhead: what Rampart adds on the way to an LLM, against the same upstream
 * reached directly, through a bare Node.js proxy and through the open-source Portkey gateway, in
 * one run (issue 2, "Performance"). See docs/benchmarks.md for the figures and how to read them.
 *
 *   npm run bench                        # about 3 minutes on a quiet 2-core machine
 *   npm run bench -- --soak 300          # with the 5-minute memory soak
 *
 * Processes: this one (streaming client; autocannon when wrk is not installed), wrk, the mock
 * upstream, the node proxy, the Rampart instances (one thread, several threads, the default guard
 * profile, and with --compare another revision's) and Portkey, each in its own process.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { checkoutRevision, removeCheckout } from '../checkout.ts';
import { tunedEnvironment, tunedNodeFlags } from '../../src/cli/process-tuning.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { MOCK_TEXT } from '../../test/support/mock-upstream.ts';
import { split } from '../../test/support/mock-upstream-answers.ts';
import { aggregate, runLoad, type LoadResult, type LoadSeries } from './load.ts';
import { HELP, parseOptions, type BenchOptions } from './options.ts';
import { forkServer, startPortkey, type Server } from './processes.ts';
import { foreignCpu } from './proc.ts';
import { formatReport, machineInfo, type BenchResults } from './report.ts';
import { soak } from './soak.ts';
import { probeStreaming, type StreamResult } from './stream-probe.ts';
import { buildTargets, chatBody, RAMPART_TARGETS, type RampartTarget, type Target, type TargetName } from './targets.ts';
import type { RampartChildOptions } from './rampart-server.ts';
import type { UpstreamChildOptions } from './upstream-server.ts';

const MODEL = 'gpt-4o-mini';
const UPSTREAM_KEY = 'sk-bench-upstream-0123456789abcdef';
/**
 * Extra attempts of a run during which other jobs used more than --max-other-cpu: per run, and
 * in all (so that a busy machine stretches the run by a bounded amount; the table still shows
 * how much CPU other jobs took).
 */
const RETRIES = 2;
const MAX_TOTAL_RETRIES = 8;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** One request of each kind through a target: a wrong answer would make the figures meaningless. */
async function check(target: Target): Promise<void> {
  const pool = new Pool(target.origin, { connections: 1 });
  try {
    const res = await pool.request({ method: 'POST', path: target.path, headers: target.headers, body: chatBody(MODEL, false) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    const json = JSON.parse(text) as { choices?: { message?: { content?: string } }[] };
    if (json.choices?.[0]?.message?.content !== MOCK_TEXT) throw new Error(`${target.name}: unexpected answer ${text.slice(0, 300)}`);
  } finally {
    await pool.close();
  }
}

/**
 * Every target at every connection count, in `rounds` rounds; the target order turns by one each
 * round so that no target always runs first or right after the same neighbour. Figures are the
 * medians over the rounds: this machine's run-to-run noise is of the order of 10-20 %.
 */
async function measureLoad(targets: Target[], opts: BenchOptions): Promise<LoadSeries[]> {
  const runs = new Map<string, LoadResult[]>();
  const body = chatBody(MODEL, false);
  let retries = 0;
  for (let round = 0; round < opts.rounds; round++) {
    for (const connections of opts.connections) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const target of order) {
        if (round === 0 && opts.warmupS > 0) await runLoad(target, { connections, durationS: opts.warmupS, body, client: opts.client });
        let r: LoadResult;
        // On a shared machine another job can take a core mid-run: measure again (bounded).
        for (let attempt = 0; ; attempt++) {
          r = await runLoad(target, {
            connections,
            durationS: opts.durationS,
            body,
            client: opts.client,
            ...(target.name.startsWith('rampart') ? { sampleHeader: 'x-rampart-overhead-ms' } : {}),
          });
          const busy = r.otherCpu !== null && r.otherCpu > opts.maxOtherCpu;
          const again = busy && attempt < RETRIES && retries < MAX_TOTAL_RETRIES;
          const other = busy ? `  (other jobs used ${r.otherCpu!.toFixed(2)} cores meanwhile${again ? ': again' : ''})` : '';
          log(`  round ${round + 1}  ${String(connections).padStart(3)} conn  ${target.name.padEnd(13)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.latency.p50.toFixed(2)} ms  p99 ${r.latency.p99.toFixed(2)} ms${other}`);
          if (!again) break;
          retries++;
        }
        if (r.non2xx + r.errors > 0) throw new Error(`${target.name} answered ${r.non2xx} non-2xx and ${r.errors} errors: the figures would not compare like with like`);
        const key = `${connections}/${target.name}`;
        runs.set(key, [...(runs.get(key) ?? []), r]);
      }
    }
  }
  return opts.connections.flatMap((c) => targets.map((t) => aggregate(runs.get(`${c}/${t.name}`)!)));
}

async function measureStreaming(targets: Target[], opts: BenchOptions): Promise<StreamResult[]> {
  const chunks = split(MOCK_TEXT, opts.streamChunks).length;
  const foreign = foreignCpu();
  const t0 = performance.now();
  const results = await probeStreaming(targets, { requests: opts.streamRequests, warmup: 20, body: chatBody(MODEL, true), chunks });
  const other = foreign((performance.now() - t0) / 1000);
  if (other !== null) log(`  (other jobs used ${other.toFixed(2)} cores during the streaming runs)`);
  for (const r of results) {
    log(`  stream   ${r.target.padEnd(13)} TTFT p50 ${r.ttft.p50.toFixed(2)} ms  p99 ${r.ttft.p99.toFixed(2)} ms  whole stream p50 ${r.total.p50.toFixed(2)} ms${r.bad ? `  BAD STREAMS ${r.bad}` : ''}`);
  }
  return results;
}

async function main(): Promise<void> {
  let opts: BenchOptions | null;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (opts === null) {
    process.stdout.write(HELP);
    return;
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'rampart-bench-'));
  const servers: Server[] = [];
  // Ctrl-C: stop the servers (Portkey is not a forked child and would outlive us) and clean up.
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the servers`);
    void Promise.allSettled(servers.map((s) => s.stop()))
      .then(() => rm(dataDir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const started = performance.now();
  try {
    log(`starting the mock upstream and ${opts.targets.filter((t) => t !== 'direct').join(', ')} ...`);
    const want = (t: TargetName) => opts.targets.includes(t);
    const upstream = await forkServer('upstream', 'upstream-server.ts', {
      apiKey: UPSTREAM_KEY,
      chunks: opts.streamChunks,
      chunkDelayMs: opts.chunkDelayMs,
    } satisfies UpstreamChildOptions);
    servers.push(upstream);
    const profile = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : [];
    const nodeProxy = want('node-proxy')
      ? await forkServer('node-proxy', 'node-proxy-server.ts', { upstreamUrl: upstream.url, upstreamKey: UPSTREAM_KEY }, profile)
      : null;
    if (nodeProxy) servers.push(nodeProxy);
    const keep = (server: Server): Server => {
      servers.push(server);
      return server;
    };
    // --compare: the other revision's checkout, with this one's installed packages.
    const refDir = opts.compare ? join(dataDir, 'ref') : null;
    if (opts.compare && refDir) log(`rampart-ref: ${opts.compare} (${(await checkoutRevision(opts.compare, refDir)).slice(0, 10)}) checked out in ${refDir}`);
    const startRampart = (name: RampartTarget) =>
      forkServer(
        name,
        name === 'rampart-ref' ? join(refDir!, 'bench/gateway-overhead/rampart-server.ts') : 'rampart-server.ts',
        {
          upstreamUrl: upstream.url,
          upstreamKey: UPSTREAM_KEY,
          model: MODEL,
          dataDir: join(dataDir, name, 'data'),
          logFile: join(dataDir, `${name}.log`),
          guard: name === 'rampart-guard' ? 'default' : 'off',
          threads: name === 'rampart-threads' ? opts.threads : 1,
        } satisfies RampartChildOptions,
        // As `rampart serve` runs (src/cli/process-tuning.ts): glibc's mmap threshold and V8's
        // heap growth fixed. The other revision too, so that a comparison measures the code alone
        // (its --compare-node-flags come last, and V8 takes the last of a flag's settings).
        [...tunedNodeFlags(process.env, process.execArgv), ...profile, ...(name === 'rampart-ref' ? opts.compareNodeFlags : [])],
        tunedEnvironment(process.env, process.platform) ?? process.env,
      );
    // Each Rampart initialises its own embedded database (seconds): start them side by side, and
    // wait for all before giving up on one, so that none is left running.
    const launched = await Promise.allSettled([
      want('rampart') ? startRampart('rampart').then(keep) : null,
      want('rampart-threads') ? startRampart('rampart-threads').then(keep) : null,
      want('rampart-guard') ? startRampart('rampart-guard').then(keep) : null,
      want('rampart-ref') ? startRampart('rampart-ref').then(keep) : null,
      want('portkey') ? startPortkey().then(keep) : null,
    ]);
    const failed = launched.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [rampart, rampartThreads, rampartGuard, rampartRef, portkey] = launched.map((r) => (r.status === 'fulfilled' ? r.value : null));
    const rampartServers = { rampart, 'rampart-threads': rampartThreads, 'rampart-guard': rampartGuard, 'rampart-ref': rampartRef };

    const targets = buildTargets({ upstream, nodeProxy, rampart: rampartServers, portkey: portkey ?? null }, UPSTREAM_KEY).filter((t) => want(t.name));
    for (const t of targets) await check(t);

    if (opts.client === 'autocannon') log('load generator: autocannon (in this process; wrk, when installed, takes far less of the shared CPU)');
    log(`non-streamed load (${opts.client}): ${opts.rounds} rounds of ${opts.durationS} s per target and connection count (${opts.warmupS} s warm-up first)`);
    const load = await measureLoad(targets, opts);
    log(`streaming: ${opts.streamRequests} streams per target, taking turns, ${opts.streamChunks} chunks ${opts.chunkDelayMs} ms apart`);
    const streaming = opts.streamRequests > 0 ? await measureStreaming(targets, opts) : [];
    const rampartTarget = targets.find((t) => t.name === opts.soakTarget);
    let soakResult = null;
    if (opts.soakS > 0 && rampartTarget) {
      log(`memory soak: ${opts.soakS} s on ${opts.soakTarget} at ${opts.soakConnections} connections${opts.soakRate ? `, ${opts.soakRate} req/s` : ''}`);
      soakResult = await soak(rampartTarget, { durationS: opts.soakS, connections: opts.soakConnections, rate: opts.soakRate, body: chatBody(MODEL, false) });
    }

    const results: BenchResults = { machine: machineInfo(), client: opts.client, load, streaming, soak: soakResult };
    process.stdout.write(`\n${formatReport(results)}\n\n`);
    for (const name of RAMPART_TARGETS) if (rampartServers[name]) log(await storeThreadReport(name, join(dataDir, `${name}.log`)));
    if (opts.json) await writeFile(opts.json, `${JSON.stringify({ options: opts, ...results }, null, 2)}\n`);
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    for (const s of servers.reverse()) await s.stop().catch((e: unknown) => log(`stopping ${s.name}: ${String(e)}`));
    if (opts.compare) removeCheckout(join(dataDir, 'ref'));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * What the embedded store's thread did with its scheduling class (src/store/thread-priority.ts),
 * from the server's log: whether it ran in the background and how often it was raised.
 */
async function storeThreadReport(name: string, logFile: string): Promise<string> {
  let background = false;
  const raised: string[] = [];
  // Line by line: after a soak the access log is hundreds of MiB, more than one string may hold.
  const lines = createInterface({ input: createReadStream(logFile, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.includes('embedded store thread')) continue;
    const entry = JSON.parse(line) as { msg: string; reason?: string };
    if (entry.msg.includes('idle scheduling class')) background = true;
    else if (entry.msg.includes('back to normal')) raised.push(entry.reason ?? '?');
  }
  if (!background) return `${name}: the store thread ran at normal priority (not lowered: see storage.threadPriority)`;
  return raised.length === 0
    ? `${name}: the store thread stayed in the background (idle scheduling class) throughout`
    : `${name}: the store thread went back to normal priority ${raised.length} time(s): ${raised.join('; ')}`;
}

await main();
