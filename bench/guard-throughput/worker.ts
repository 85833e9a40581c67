/**
 * A guard scanner that takes turns: the child process of `compare.ts`. It builds the profile of
 * the checkout it runs from, warms up, then on each `{ ms }` message scans the benchmark's prompts
 * for that long and answers with what it did (bytes, CPU and wall time, per-prompt latencies).
 * Started with `node worker.ts <size> <profile>` and an IPC channel.
 */
import { scan } from '../../src/guard/engine.ts';
import { Vault } from '../../src/guard/rewrite.ts';
import { parseConfig } from '../../src/server/config.ts';
import { buildGuardProfiles } from '../../src/server/guard.ts';
import { benchPrompts } from './prompts.ts';

export interface SliceResult {
  readonly bytes: number;
  readonly cpuUs: number;
  readonly wallMs: number;
  readonly latenciesMs: number[];
}

const size = Number(process.argv[2] ?? 2048);
const profile = buildGuardProfiles(parseConfig(''), {}).get(process.argv[3] ?? 'default');
if (!profile) throw new Error(`profile ${process.argv[3]} is off`);
const prompts = benchPrompts(size, 200);
let i = 0;
const once = (text: string) => scan(profile, [{ path: 'messages[0].content', channel: 'user', text }], new Vault());
for (let w = 0; w < 500; w++) await once(prompts[i++ % prompts.length]!);

process.on('message', (msg: { ms: number } | 'exit') => {
  if (msg === 'exit') process.exit(0);
  void (async () => {
    const latenciesMs: number[] = [];
    let bytes = 0;
    const t0 = performance.now();
    const end = t0 + msg.ms;
    const cpu0 = process.cpuUsage();
    while (performance.now() < end) {
      const text = prompts[i++ % prompts.length]!;
      const s = performance.now();
      await once(text);
      latenciesMs.push(performance.now() - s);
      bytes += Buffer.byteLength(text);
    }
    const cpu = process.cpuUsage(cpu0);
    const result: SliceResult = { bytes, cpuUs: cpu.user + cpu.system, wallMs: performance.now() - t0, latenciesMs };
    process.send!(result);
  })();
});
process.send!('ready');
