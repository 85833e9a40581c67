/**
 * The default guard profile in instructions, not seconds: `--scans` scans of the benchmark's 2 KB
 * prompts (prompts.ts). Run it twice under callgrind with two counts; the difference over the
 * difference of scans is the instructions one scan costs, start-up cancelled out:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/a node --single-threaded bench/guard-throughput/instructions.ts --scans 200
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/b node --single-threaded bench/guard-throughput/instructions.ts --scans 1200
 *   # (Ir of b − Ir of a) / 1000
 *
 * Repeatable to about 0.2 % here whatever else the machine does (1.3946 M and 1.3965 M per scan in
 * two runs, 2026-12-07), where the timed benchmark moves by 20 % between runs: the way to see
 * whether a change to a detector pays.
 */
import { parseArgs } from 'node:util';
import { scan } from '../../src/guard/engine.ts';
import { Vault } from '../../src/guard/rewrite.ts';
import { parseConfig } from '../../src/server/config.ts';
import { buildGuardProfiles } from '../../src/server/guard.ts';
import { benchPrompts } from './prompts.ts';

const { values } = parseArgs({ options: { scans: { type: 'string', default: '200' }, size: { type: 'string', default: '2048' }, profile: { type: 'string', default: 'default' } } });
const scans = Number(values.scans);
const prompts = benchPrompts(Number(values.size), 200);
const profile = buildGuardProfiles(parseConfig(''), {}).get(values.profile!);
if (!profile) throw new Error(`profile ${values.profile} is off`);
let findings = 0;
for (let i = 0; i < scans; i++) {
  const verdict = await scan(profile, [{ path: 'messages[0].content', channel: 'user', text: prompts[i % prompts.length]! }], new Vault());
  findings += verdict.findings.length;
}
process.stdout.write(`${scans} scans, ${findings} findings\n`);
