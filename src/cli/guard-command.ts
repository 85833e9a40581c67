/**
 * `rampart guard analyze`: runs a guard profile of the configuration (or the built-in profiles when
 * there is none) on text from stdin or a file, offline (no server, no model: a judge detector's
 * call fails, and the profile's failure direction decides, as it would for a judge that is down).
 * Prints the same JSON as POST /v1/guard/analyze; exits 2 when the verdict is block.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, type Option } from 'commander';
import { RampartError } from '../core/errors.ts';
import { analyzeAnswer, analyzeRequest, analyzeSegments } from '../gateway/guard-analyze.ts';
import { scan } from '../guard/engine.ts';
import { Vault } from '../guard/rewrite.ts';
import { loadConfig, parseConfig } from '../server/config.ts';
import { buildGuardProfiles, offlineInvoker } from '../server/guard.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function guardCommand(configOption: () => Option): Command {
  const guard = new Command('guard').description('the guard engine: prompt shields, DLP, custom rules');
  guard
    .command('analyze')
    .description('scan text (stdin or --file) with a guard profile and print the findings')
    .addOption(configOption())
    .option('-f, --file <file>', 'read the text from a file instead of stdin')
    .option('--profile <name>', 'profile to run (default: guard.defaultProfile)')
    .option('--channel <channel>', 'user, system, document or output', 'user')
    .action(async (o: { config: string; file?: string; profile?: string; channel: string }, cmd: Command) => {
      // With no configuration named and none in this directory, the built-in profiles: scanning a
      // text needs no deployment, store or server. A file named with -c or RAMPART_CONFIG must exist.
      const builtIn = cmd.getOptionValueSource('config') === 'default' && !existsSync(o.config);
      if (builtIn) process.stderr.write(`rampart guard analyze: no ${o.config} here, using the built-in guard profiles\n`);
      const config = builtIn ? parseConfig('{}') : loadConfig(o.config);
      const text = o.file ? readFileSync(o.file, 'utf8') : await readStdin();
      const parsed = analyzeRequest.safeParse({ text, channel: o.channel, ...(o.profile ? { profile: o.profile } : {}) });
      if (!parsed.success) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      const profiles = buildGuardProfiles(config, {
        invoke: offlineInvoker('rampart guard analyze'),
        onError: (detector, err) => process.stderr.write(`rampart guard analyze: detector ${detector} failed: ${err instanceof Error ? err.message : String(err)}\n`),
      });
      await profiles.ready();
      const name = parsed.data.profile ?? config.guard.defaultProfile;
      const profile = profiles.names().includes(name) ? profiles.get(name) : null;
      if (!profile) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `profile '${name}' is unknown or off (known: ${profiles.names().join(', ')})` });
      const verdict = await scan(profile, analyzeSegments(parsed.data), new Vault());
      process.stdout.write(`${JSON.stringify(analyzeAnswer(parsed.data, verdict), null, 2)}\n`);
      if (verdict.blocked) process.exitCode = 2;
    });
  return guard;
}
