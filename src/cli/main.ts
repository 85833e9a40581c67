/**
 * The `rampart` command. The only place that prints to the terminal and exits the process.
 */
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { isRampartError } from '../core/errors.ts';
import { ConfigError, formatProblem } from '../config/load.ts';
import { configJsonSchema, loadConfig } from '../server/config.ts';
import { createLogger } from '../monitor/logger.ts';
import { buildGuardProfiles, offlineInvoker } from '../server/guard.ts';
import { startApp } from '../server/app.ts';
import { keysCommand } from './keys-command.ts';
import { agentsCommand } from './agents-command.ts';
import { auditCommand } from './audit-command.ts';
import { guardCommand } from './guard-command.ts';
import { policyCommand } from './policy-command.ts';
import { elevateCommand } from './elevate-command.ts';
import { accessCommand } from './access-command.ts';
import { modelCommand } from './model-command.ts';
import { sandboxCommand } from './sandbox-command.ts';

const program = new Command()
  .name('rampart')
  .description('Rampart: a self-hosted security gateway and control plane for AI workloads.')
  .version('0.1.0')
  .showHelpAfterError();

const configOption = () =>
  new Option('-c, --config <file>', 'configuration file').env('RAMPART_CONFIG').default('rampart.yaml');

program
  .command('serve')
  .description('serve the data plane (/v1) and the admin API (/admin/v1)')
  .addOption(configOption())
  .option('-p, --port <port>', 'override server.port', (v) => Number.parseInt(v, 10))
  .action(async (opts: { config: string; port?: number }) => {
    const config = loadConfig(opts.config);
    if (opts.port !== undefined) config.server.port = opts.port;
    const logger = createLogger(config.log.level);
    const app = await startApp(config, { logger });
    process.stderr.write(`rampart: listening on ${app.url} (config ${opts.config})\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      app.close().then(
        () => logger.flush(() => process.exit(0)),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          logger.flush(() => process.exit(1));
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

const config = program.command('config').description('check the configuration and publish its JSON Schema');
config
  .command('check')
  .description('validate a configuration file and explain every problem with its path')
  .addOption(configOption())
  .action(async (opts: { config: string }) => {
    const cfg = loadConfig(opts.config);
    // Guard profiles compile as at start-up (detector options, patterns, models), so a profile
    // that would stop `serve` fails here. Judge detectors are not called.
    const profiles = buildGuardProfiles(cfg, { invoke: offlineInvoker('rampart config check') });
    await profiles.ready();
    process.stdout.write(`${opts.config}: ok (${cfg.deployments.length} deployments, storage ${cfg.storage.kind}, counters ${cfg.counters.kind})\n`);
  });
config
  .command('schema')
  .description('print the JSON Schema of rampart.yaml (for editors)')
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .action((opts: { output?: string }) => {
    const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
    if (opts.output) writeFileSync(opts.output, text);
    else process.stdout.write(text);
  });

program.addCommand(keysCommand(configOption));
program.addCommand(agentsCommand(configOption));
program.addCommand(auditCommand(configOption));
program.addCommand(guardCommand(configOption));
program.addCommand(policyCommand(configOption));
program.addCommand(elevateCommand());
program.addCommand(accessCommand());
program.addCommand(modelCommand(configOption));
program.addCommand(sandboxCommand(configOption));

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`rampart: ${e.code}: configuration problems:\n${e.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
  } else if (isRampartError(e)) {
    process.stderr.write(`rampart: ${e.code}: ${e.message}\n`);
  } else {
    process.stderr.write(`rampart: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  process.exit(1);
});
