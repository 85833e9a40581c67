import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseVerdict } from '../../src/guard/detectors/llm-judge.ts';

const labels = { INJECTION: 'prompt_injection', JAILBREAK: 'jailbreak' };

describe('llm judge verdicts', () => {
  it('reads Llama Guard answers', () => {
    assert.deepEqual(parseVerdict('llama-guard', 'safe', labels), []);
    assert.deepEqual(parseVerdict('llama-guard', 'unsafe\nS1, S11', labels).map((v) => v.category), ['content.violence', 'content.self_harm']);
    assert.throws(() => parseVerdict('llama-guard', 'I cannot help with that', labels));
  });

  it('reads label answers such as Prompt Guard', () => {
    assert.deepEqual(parseVerdict('label', 'JAILBREAK', labels).map((v) => v.category), ['jailbreak']);
    assert.deepEqual(parseVerdict('label', 'BENIGN', labels), []);
  });

  it('reads JSON verdicts and refuses malformed ones (the engine then fails closed)', () => {
    assert.deepEqual(parseVerdict('json', '{"flagged": false}', labels), []);
    const v = parseVerdict('json', '```json\n{"flagged": true, "categories": ["hate", "prompt_injection", "Bad Category!"], "score": 0.8}\n```', labels);
    assert.deepEqual(v.map((x) => [x.category, x.score]), [['content.hate', 0.8], ['prompt_injection', 0.8]]);
    assert.throws(() => parseVerdict('json', 'flagged: yes', labels));
    assert.throws(() => parseVerdict('json', '{"flagged": "yes"}', labels));
  });
});
