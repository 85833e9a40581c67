/**
 * The pickle scanner on generated fixtures: malicious opcode streams of every construct and
 * obfuscation (GLOBAL, STACK_GLOBAL fed by memo, INST, OBJ, NEWOBJ, getattr chains, computed
 * names, escaped protocol-0 strings, dotted dunder paths, BUILD on a global, concatenation,
 * renamed extensions) and hard negatives (benign pickles of every protocol whose data mentions
 * os.system or carries opcode-like bytes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../../../src/models/scan/types.ts';
import { fileOf, skipReason } from './fixtures.ts';

interface Case {
  readonly path: string;
  readonly verdict: Verdict;
  /** [rule, callable] pairs that must be reported (with an offset). */
  readonly expect?: readonly (readonly [string, string?])[];
}

const CASES: readonly Case[] = [
  ...[0, 1, 2, 3, 4, 5].map((p): Case => ({ path: `pickle/benign-proto${p}.pkl`, verdict: 'clean' })),
  { path: 'pickle/benign-bytearray-proto5.pkl', verdict: 'clean' },
  { path: 'pickle/benign-big-payload.pkl', verdict: 'clean' },
  { path: 'pickle/benign-numpy-array.pkl', verdict: 'clean' },
  { path: 'pickle/mal-global-os-system.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'pickle/mal-proto1-posix.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'posix.system']] },
  { path: 'pickle/mal-stack-global.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'pickle/mal-memo-stack-global.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'subprocess.Popen']] },
  { path: 'pickle/mal-inst.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'pickle/mal-obj.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'pickle/mal-newobj.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'subprocess.Popen']] },
  { path: 'pickle/mal-builtins-eval.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', '__builtin__.eval']] },
  { path: 'pickle/mal-builtins-exec.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'builtins.exec']] },
  { path: 'pickle/mal-subprocess-popen.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'subprocess.Popen']] },
  { path: 'pickle/mal-getattr-chain.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'builtins.getattr'], ['pickle.computed-callable']] },
  { path: 'pickle/mal-computed-name.pkl', verdict: 'malicious', expect: [['pickle.computed-global']] },
  { path: 'pickle/mal-escaped-strings.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'pickle/mal-dunder-traversal.pkl', verdict: 'malicious', expect: [['pickle.dunder-traversal', 'builtins.object.__subclasses__']] },
  { path: 'pickle/mal-build-on-global.pkl', verdict: 'malicious', expect: [['pickle.build-on-global', 'collections.OrderedDict']] },
  { path: 'pickle/mal-concatenated.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'pickle/mal-partial.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system'], ['pickle.unknown-global', 'functools.partial']] },
  { path: 'pickle/mal-torch-load.pkl', verdict: 'malicious', expect: [['pickle.dangerous-global', 'torch.load']] },
  { path: 'pickle/mal-renamed.txt', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'pickle/mal-renamed.bin', verdict: 'malicious', expect: [['pickle.dangerous-global', 'nt.system']] },
  { path: 'pickle/sus-unknown-global.pkl', verdict: 'suspicious', expect: [['pickle.unknown-global', 'sklearn.linear_model._logistic.LogisticRegression']] },
  { path: 'pickle/sus-extension.pkl', verdict: 'suspicious', expect: [['pickle.extension-registry']] },
  { path: 'pickle/err-truncated.pkl', verdict: 'error', expect: [['pickle.truncated']] },
  { path: 'pickle/err-truncated-renamed.dat', verdict: 'error', expect: [['pickle.truncated']] },
  { path: 'pickle/err-bad-opcode.pkl', verdict: 'error', expect: [['pickle.malformed']] },
  { path: 'pickle/err-memo-missing.pkl', verdict: 'error', expect: [['pickle.malformed']] },
];

describe('pickle scanner', { skip: skipReason }, () => {
  for (const c of CASES) {
    it(`${c.verdict === 'clean' ? 'passes' : `flags as ${c.verdict}`} ${c.path}`, async () => {
      const { file, findings } = await fileOf(c.path);
      assert.ok(file, `${c.path} is in the report`);
      assert.equal(file.format, 'pickle', 'sniffed by content, whatever the extension');
      assert.equal(file.verdict, c.verdict, JSON.stringify(findings, null, 1));
      for (const [rule, callable] of c.expect ?? []) {
        const f = findings.find((x) => x.rule === rule && (callable === undefined || x.callable === callable));
        assert.ok(f, `${rule} ${callable ?? ''} in ${JSON.stringify(findings)}`);
        assert.equal(f.file, c.path);
        assert.equal(typeof f.offset, 'number');
        assert.ok(f.message.length > 20);
      }
      if (c.verdict === 'clean') assert.deepEqual(findings.filter((f) => f.severity !== 'info'), []);
    });
  }

  it('names the offset of the opcode that imports the callable', async () => {
    const { findings } = await fileOf('pickle/mal-global-os-system.pkl');
    assert.equal(findings[0]!.offset, 0);
    assert.match(findings[0]!.message, /REDUCE at offset \d+ calls it with \("echo pwned",\)/);
  });

  it('reports a truncated pickle at the offset where it stops', async () => {
    const { file, findings } = await fileOf('pickle/err-truncated.pkl');
    assert.equal(findings[0]!.offset! <= file!.bytes, true);
    assert.ok(findings[0]!.offset! > 0);
  });
});
