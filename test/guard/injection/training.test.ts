/**
 * The model is reproducible from the repository: the corpus generators are deterministic, a
 * small retrain gives byte-identical weights, and the committed model matches the features the
 * code computes. The corpus is the project's own: no row of the shared development set appears
 * in it (checked by normalized-text hash when the set is present).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildCorpus, FULL_SIZE, type CorpusSize } from '../../../training/injection/corpus.ts';
import { bagSeeds, DEFAULT_TRAIN_OPTIONS, serializeModel, trainModel } from '../../../training/injection/train.ts';
import { loadModelFile, modelFileSchema } from '../../../src/guard/detectors/injection/model.ts';
import { DENSE_NAMES } from '../../../src/guard/detectors/injection/features.ts';

const TINY: CorpusSize = {
  benign: 60,
  tricky: 30,
  twins: 40,
  background: 20,
  system: 10,
  direct: 40,
  jailbreak: 40,
  benignDocs: 30,
  indirect: 30,
  emails: 10,
  hijack: 20,
  scenario: 10,
  scenarioTwins: 10,
  multilingual: 20,
  short: 10,
  realDocs: 20,
  workEmails: 10,
  shortAttacks: 10,
  shortTwins: 10,
  readerRequests: 10,
  wideAttacks: 10,
  widePrompts: 10,
  europeAttacks: 10,
  europePrompts: 10,
  redirects: 10,
  toolAttacks: 10,
  toolBenign: 10,
  promptDev: 10,
};
const MODEL = new URL('../../../src/guard/detectors/injection/model.json', import.meta.url);
const DEV = new URL('../../../../shared/datasets/prompt-injection/dev.jsonl', import.meta.url);
const FIXTURES = new URL('../../../test/fixtures/injection/handwritten.jsonl', import.meta.url);

describe('injection training', () => {
  it('builds the same corpus from the same seed, and another from another seed', () => {
    const a = buildCorpus(7, TINY);
    const b = buildCorpus(7, TINY);
    assert.deepEqual(a, b);
    assert.notDeepEqual(buildCorpus(8, TINY).map((e) => e.text), a.map((e) => e.text));
    assert.deepEqual(
      new Set(a.map((e) => e.family)),
      new Set([
        'benign',
        'benign_tricky',
        'twin',
        'background',
        'system',
        'direct',
        'jailbreak',
        'benign_doc',
        'indirect',
        'email_attack',
        'hijack',
        'scenario',
        'scenario_twin',
        'multilingual',
        'short',
        'real_doc',
        'short_attack',
        'short_twin',
        'wide_attack',
        'wide_prompt',
        'reader_request',
        'work_email',
        'europe_attack',
        'europe_prompt',
        'redirect',
        'tool_attack',
        'tool_benign',
        'prompt_dev',
      ]),
    );
  });

  it('gives byte-identical weights when a small model is trained twice', () => {
    const options = { seed: 11, size: TINY, validationSize: TINY, epochs: 1, learningRate: 0.2, l2: 2e-5, dropout: 0.3, bags: 2 };
    const first = serializeModel(trainModel(options).file);
    const second = serializeModel(trainModel(options).file);
    assert.equal(createHash('sha256').update(first).digest('hex'), createHash('sha256').update(second).digest('hex'));
    assert.ok(modelFileSchema.safeParse(JSON.parse(first)).success);
  });

  it('commits a model trained for the features the code computes', () => {
    const file = modelFileSchema.parse(JSON.parse(readFileSync(MODEL, 'utf8')));
    assert.deepEqual(file.denseNames, [...DENSE_NAMES]);
    assert.ok(readFileSync(MODEL).length < 3 * 1024 * 1024, 'model file stays small');
    assert.doesNotThrow(() => loadModelFile(MODEL.pathname));
  });

  const norm = (t: string) => createHash('sha256').update(t.toLowerCase().replace(/\s+/g, ' ').trim()).digest('hex');
  const devHashes = () =>
    new Set(
      readFileSync(DEV, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => norm((JSON.parse(l) as { text: string }).text)),
    );

  it('does not contain rows of the shared development set', { skip: !existsSync(DEV) && 'dev set not present' }, () => {
    const dev = devHashes();
    // Every corpus the committed model is averaged over.
    for (const seed of bagSeeds(DEFAULT_TRAIN_OPTIONS.seed, DEFAULT_TRAIN_OPTIONS.bags)) {
      const overlap = buildCorpus(seed, FULL_SIZE).filter((e) => dev.has(norm(e.text)));
      assert.deepEqual(overlap.map((e) => e.family), [], `seed ${seed}`);
    }
  });

  it('keeps the hand-written fixtures free of rows of the shared development set', { skip: !existsSync(DEV) && 'dev set not present' }, () => {
    const dev = devHashes();
    const rows = readFileSync(FIXTURES, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text);
    assert.deepEqual(rows.filter((t) => dev.has(norm(t))), []);
  });
});
