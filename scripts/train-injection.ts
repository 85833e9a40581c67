/**
 * Trains the prompt-injection model from the generated corpus in training/injection/ and writes
 * src/guard/detectors/injection/model.json. Deterministic: the same seed gives the same bytes.
 *
 *   node scripts/train-injection.ts [--seed N] [--epochs N] [--out path] [--check]
 *
 * `--check` trains and compares with the committed file instead of writing it (exit 1 on drift).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_OPTIONS, serializeModel, trainModel } from '../training/injection/train.ts';
import { helpAndExit } from './lib/usage.ts';

helpAndExit(import.meta.url);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    epochs: { type: 'string' },
    out: { type: 'string', default: join(root, 'src/guard/detectors/injection/model.json') },
    check: { type: 'boolean', default: false },
  },
});

const started = Date.now();
const { file, report } = trainModel({
  ...DEFAULT_TRAIN_OPTIONS,
  seed: values.seed ? Number(values.seed) : DEFAULT_TRAIN_OPTIONS.seed,
  epochs: values.epochs ? Number(values.epochs) : DEFAULT_TRAIN_OPTIONS.epochs,
  log: (line) => console.log(line),
});
const text = serializeModel(file);
console.log(`calibration: ${JSON.stringify(file.calibration)}`);
console.log('validation (generated, other seed), share flagged at 0.5:');
for (const [family, r] of Object.entries(report.perFamily)) console.log(`  ${family.padEnd(14)} ${(r.flagged / r.n).toFixed(3)}  (n=${r.n})`);
if (values.check) {
  const committed = readFileSync(values.out, 'utf8');
  if (committed !== text) {
    console.error(`${values.out} differs from a fresh training run`);
    process.exit(1);
  }
  console.log('model.json matches a fresh training run');
} else {
  writeFileSync(values.out, text);
  console.log(`wrote ${values.out} (${(text.length / 1024).toFixed(0)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
