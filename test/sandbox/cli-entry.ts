/**
 * `rampart sandbox …` for the CLI tests until src/cli/main.ts adds the command: the same command
 * object, with main.ts's error printing and exit code.
 */
import { Command, Option } from 'commander';
import { isRampartError } from '../../src/core/errors.ts';
import { sandboxCommand } from '../../src/cli/sandbox-command.ts';

const program = new Command().name('rampart');
program.addCommand(sandboxCommand(() => new Option('-c, --config <file>', 'configuration file').env('RAMPART_CONFIG').default('rampart.yaml')));
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(isRampartError(e) ? `rampart: ${e.code}: ${e.message}\n` : `rampart: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
