/**
 * Every other format on generated fixtures, as one table of positives and hard negatives:
 * PyTorch zips and legacy files, numpy and npz, joblib, safetensors, GGUF, Keras (.keras, .h5,
 * JSON), ONNX, TensorFlow graphs, zip/tar/gzip containers, text configs and unknown content.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../../../src/models/scan/types.ts';
import { fileOf, fixtureReport, skipReason } from './fixtures.ts';

interface Case {
  readonly path: string;
  readonly format: string;
  readonly verdict: Verdict;
  /** [rule, callable?, file?]: the finding must exist; `file` defaults to any entry under `path`. */
  readonly expect?: readonly (readonly [string, string?, string?])[];
}

const CASES: readonly Case[] = [
  // PyTorch
  { path: 'torch/benign.pt', format: 'zip', verdict: 'clean' },
  { path: 'torch/benign-storage-looks-like-pickle.pth', format: 'zip', verdict: 'clean' },
  { path: 'torch/malicious.pt', format: 'zip', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system', 'torch/malicious.pt!archive/data.pkl']] },
  { path: 'torch/legacy.pt', format: 'pytorch-legacy', verdict: 'clean' },
  { path: 'torch/legacy-malicious.pt', format: 'pytorch-legacy', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'torch/legacy-tar.pt', format: 'tar', verdict: 'clean' },
  { path: 'torch/legacy-tar-malicious.pt', format: 'tar', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system', 'torch/legacy-tar-malicious.pt!storages']] },
  // numpy, joblib
  { path: 'numpy/float.npy', format: 'numpy', verdict: 'clean' },
  { path: 'numpy/object-benign.npy', format: 'numpy', verdict: 'clean', expect: [['numpy.object-array']] },
  { path: 'numpy/object-malicious.npy', format: 'numpy', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'numpy/truncated.npy', format: 'numpy', verdict: 'error', expect: [['numpy.truncated']] },
  { path: 'numpy/arrays.npz', format: 'zip', verdict: 'clean' },
  { path: 'numpy/malicious.npz', format: 'zip', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system', 'numpy/malicious.npz!evil.npy']] },
  { path: 'joblib/benign-zlib.joblib', format: 'joblib', verdict: 'clean' },
  { path: 'joblib/malicious-zlib.joblib', format: 'joblib', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system', 'joblib/malicious-zlib.joblib!(zlib)']] },
  { path: 'joblib/malicious-legacy-zf.pkl', format: 'joblib', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'joblib/malicious-gzip.joblib', format: 'gzip', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  { path: 'joblib/bz2.joblib', format: 'joblib', verdict: 'suspicious', expect: [['joblib.compressed-uninspectable']] },
  { path: 'joblib/xz.joblib', format: 'joblib', verdict: 'suspicious', expect: [['joblib.compressed-uninspectable']] },
  { path: 'joblib/benign-array.joblib', format: 'pickle', verdict: 'clean' },
  { path: 'joblib/malicious-after-array.joblib', format: 'pickle', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system']] },
  // safetensors
  { path: 'safetensors/valid.safetensors', format: 'safetensors', verdict: 'clean' },
  { path: 'safetensors/valid-f4.safetensors', format: 'safetensors', verdict: 'clean' },
  { path: 'safetensors/err-overlap.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.overlap', 'b']] },
  { path: 'safetensors/err-out-of-bounds.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.out-of-bounds']] },
  { path: 'safetensors/err-gap.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.gap']] },
  { path: 'safetensors/err-size-mismatch.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.size-mismatch', 'a']] },
  { path: 'safetensors/err-bad-dtype.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.bad-dtype', 'a']] },
  { path: 'safetensors/err-metadata.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.bad-metadata']] },
  { path: 'safetensors/err-bad-json.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.bad-header']] },
  { path: 'safetensors/err-duplicate-key.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.duplicate-key', 'a']] },
  { path: 'safetensors/err-header-length.safetensors', format: 'safetensors', verdict: 'error', expect: [['safetensors.truncated']] },
  { path: 'safetensors/err-huge-header-length.safetensors', format: 'unknown', verdict: 'error', expect: [['scan.unrecognized-model']] },
  // GGUF
  { path: 'gguf/valid.gguf', format: 'gguf', verdict: 'clean' },
  { path: 'gguf/benign-text-mentions-code.gguf', format: 'gguf', verdict: 'clean' },
  { path: 'gguf/malicious-template.gguf', format: 'gguf', verdict: 'malicious', expect: [['chat-template.python-internals', '__subclasses__']] },
  { path: 'gguf/malicious-template-popen.gguf', format: 'gguf', verdict: 'malicious', expect: [['chat-template.code-execution', 'os.popen'], ['chat-template.jinja-gadget', 'cycler']] },
  { path: 'gguf/truncated.gguf', format: 'gguf', verdict: 'error', expect: [['gguf.truncated']] },
  { path: 'gguf/out-of-bounds.gguf', format: 'gguf', verdict: 'error', expect: [['gguf.out-of-bounds']] },
  // Keras, HDF5
  { path: 'keras/benign.keras', format: 'zip', verdict: 'clean' },
  { path: 'keras/lambda.keras', format: 'zip', verdict: 'malicious', expect: [['keras.lambda-code', 'Lambda:evil', 'keras/lambda.keras!config.json']] },
  { path: 'keras/custom-object.keras', format: 'zip', verdict: 'suspicious', expect: [['keras.custom-object', 'my_company.layers.FancyDense']] },
  { path: 'keras/unsafe-function.keras', format: 'zip', verdict: 'malicious', expect: [['keras.dangerous-function', 'keras.config.enable_unsafe_deserialization']] },
  { path: 'keras/lambda.h5', format: 'hdf5', verdict: 'malicious', expect: [['keras.lambda-code', 'Lambda:lambda']] },
  { path: 'keras/benign.h5', format: 'hdf5', verdict: 'clean' },
  { path: 'keras/model.json', format: 'keras', verdict: 'malicious', expect: [['keras.lambda-code']] },
  // ONNX, TensorFlow
  { path: 'onnx-ok/model.onnx', format: 'onnx', verdict: 'clean' },
  { path: 'onnx/inline.onnx', format: 'onnx', verdict: 'clean' },
  { path: 'onnx/traversal.onnx', format: 'onnx', verdict: 'malicious', expect: [['onnx.external-data-traversal', '../../../../etc/passwd']] },
  { path: 'onnx/absolute.onnx', format: 'onnx', verdict: 'malicious', expect: [['onnx.external-data-traversal', '/etc/shadow']] },
  { path: 'onnx/custom-domain.onnx', format: 'onnx', verdict: 'suspicious', expect: [['onnx.custom-op-domain', 'com.evil.ops::Backdoor']] },
  { path: 'onnx/truncated.onnx', format: 'onnx', verdict: 'error', expect: [['onnx.malformed']] },
  { path: 'tf-ok/saved_model.pb', format: 'savedmodel', verdict: 'clean' },
  { path: 'tf-evil/saved_model.pb', format: 'savedmodel', verdict: 'malicious', expect: [['tf.dangerous-op', 'PyFunc'], ['tf.dangerous-op', 'WriteFile'], ['tf.file-system-op', 'ReadFile']] },
  { path: 'tf-graph/frozen.pb', format: 'savedmodel', verdict: 'suspicious', expect: [['tf.file-system-op', 'ReadFile']] },
  // containers
  { path: 'zip/slip.zip', format: 'zip', verdict: 'malicious', expect: [['zip.path-traversal', '../../evil.sh']] },
  { path: 'zip/absolute.zip', format: 'zip', verdict: 'malicious', expect: [['zip.path-traversal', '/etc/cron.d/evil']] },
  { path: 'zip/backslash.zip', format: 'zip', verdict: 'malicious', expect: [['zip.path-traversal', '..\\..\\evil.bat']] },
  { path: 'zip/duplicate.zip', format: 'zip', verdict: 'suspicious', expect: [['zip.duplicate-entry', 'a.txt']] },
  { path: 'zip/bomb.zip', format: 'zip', verdict: 'malicious', expect: [['zip.bomb', 'zeros.bin']] },
  { path: 'zip/nested.zip', format: 'zip', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system', 'zip/nested.zip!inner.zip!evil.pkl']] },
  { path: 'tar/bundle.tar.gz', format: 'gzip', verdict: 'malicious', expect: [['pickle.dangerous-global', 'os.system', 'tar/bundle.tar.gz!bundle.tar!model/evil.pkl']] },
  { path: 'tar/slip.tar', format: 'tar', verdict: 'malicious', expect: [['tar.path-traversal', '../escape.txt'], ['tar.link-entry', 'passwd']] },
  // text, unknown content
  { path: 'misc/README.md', format: 'text', verdict: 'clean' },
  { path: 'misc/config.json', format: 'text', verdict: 'clean', expect: [['text.remote-code']] },
  { path: 'misc/tokenizer_config.json', format: 'text', verdict: 'malicious', expect: [['chat-template.python-internals', '__globals__']] },
  { path: 'misc/tokenizer_config_benign.json', format: 'text', verdict: 'clean' },
  { path: 'misc/random.pt', format: 'unknown', verdict: 'error', expect: [['scan.unrecognized-model']] },
  { path: 'misc/random.dat', format: 'unknown', verdict: 'clean', expect: [['scan.unknown-binary']] },
  { path: 'misc/empty.pkl', format: 'empty', verdict: 'error', expect: [['scan.unrecognized-model']] },
  { path: 'misc/libevil.so', format: 'known-binary', verdict: 'suspicious', expect: [['binary.executable']] },
];

describe('model format scanners', { skip: skipReason }, () => {
  for (const c of CASES) {
    it(`${c.verdict === 'clean' ? 'passes' : `flags as ${c.verdict}`} ${c.path}`, async () => {
      const { file, findings } = await fileOf(c.path);
      assert.ok(file, `${c.path} is in the report`);
      assert.equal(file.format, c.format);
      assert.equal(file.verdict, c.verdict, JSON.stringify(findings, null, 1));
      for (const [rule, callable, where] of c.expect ?? []) {
        const f = findings.find((x) => x.rule === rule && (callable === undefined || x.callable === callable) && (where === undefined || x.file === where));
        assert.ok(f, `${rule} ${callable ?? ''} ${where ?? ''} in ${JSON.stringify(findings, null, 1)}`);
      }
      if (c.verdict === 'clean') assert.deepEqual(findings.filter((f) => f.severity !== 'info'), []);
    });
  }

  it('reports symbolic links without following them', async () => {
    const r = await fixtureReport();
    const outside = r.findings.find((f) => f.file === 'links/outside');
    const inside = r.findings.find((f) => f.file === 'links/inside');
    assert.equal(outside?.rule, 'scan.symlink-outside');
    assert.equal(outside?.severity, 'suspicious');
    assert.equal(inside?.rule, 'scan.symlink-skipped');
    assert.equal(r.files.some((f) => f.path.startsWith('links/outside') || f.path === 'links/inside'), false);
  });

  it('records every file with its size and SHA-256, and a verdict that is the worst finding', async () => {
    const r = await fixtureReport();
    assert.equal(r.verdict, 'malicious');
    for (const f of r.files) {
      assert.equal(typeof f.bytes, 'number');
      if (!f.path.includes('!') && f.format !== 'zip') assert.match(f.sha256 ?? '', /^[0-9a-f]{64}$/, f.path);
    }
    assert.equal(r.stats.findings.malicious, r.findings.filter((f) => f.severity === 'malicious').length);
  });
});
