#!/usr/bin/env node
// Rampart runs its TypeScript sources directly (Node >= 22.18 strips types natively).
// `serve` first tunes glibc's malloc and V8's heap growth, which means starting this process
// again with one more environment variable and node flag (src/cli/process-tuning.ts); the command
// line is read afterwards.
if (process.argv[2] === 'serve') {
  const { applyServeTuning } = await import('../src/cli/process-tuning.ts');
  applyServeTuning();
}
await import('../src/cli/main.ts');
