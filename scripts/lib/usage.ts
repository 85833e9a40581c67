/**
 * `--help` for the development scripts: prints the script's opening doc comment (which each
 * script keeps as its usage text) and exits, before the script parses options or writes files.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Call with `import.meta.url`; returns unless the script is the program being run (not imported by
 * a test) and was given `--help` or `-h`.
 */
export function helpAndExit(scriptUrl: string): void {
  if (process.argv[1] === undefined || fileURLToPath(scriptUrl) !== process.argv[1]) return;
  if (!process.argv.includes('--help') && !process.argv.includes('-h')) return;
  const source = readFileSync(fileURLToPath(scriptUrl), 'utf8');
  const doc = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? ' (no usage text)';
  process.stdout.write(`${doc.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim()}\n`);
  process.exit(0);
}
