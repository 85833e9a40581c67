#!/usr/bin/env node
// Rampart runs its TypeScript sources directly (Node >= 22.18 strips types natively).
// `serve` first tunes glibc's malloc, which means starting this process again with one more
// environment variable (src/cli/malloc-tuning.ts); the command line is read afterwards.
if (process.argv[2] === 'serve') {
  const { applyMallocTuning } = await import('../src/cli/malloc-tuning.ts');
  applyMallocTuning();
}
await import('../src/cli/main.ts');
