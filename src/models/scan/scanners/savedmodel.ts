/**
 * TensorFlow graphs: SavedModel `saved_model.pb` (tensorflow/core/protobuf/saved_model.proto,
 * meta_graph.proto) and frozen GraphDef `.pb` files (graph.proto, node_def.proto, function.proto).
 * Every op of the graph and of its function library is checked: ops that run Python (PyFunc,
 * EagerPyFunc) or write files are malicious when the graph runs; ops that read the file system
 * are suspicious. A SavedModel's `keras_metadata.pb` sibling is byte-scanned for Lambda layers.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { varintAt, walkWire, WireFault, type Frame, type WireSchema } from '../analysis/protobuf-wire.ts';
import type { ScanContext, ScannerDescriptor } from '../scanner.ts';

const NODE = { 1: { str: 'name' }, 2: { str: 'op' } } as const;
const SCHEMA: WireSchema = {
  SavedModel: { 2: { msg: 'MetaGraphDef' } },
  MetaGraphDef: { 2: { msg: 'GraphDef' } },
  GraphDef: { 1: { msg: 'NodeDef' }, 2: { msg: 'FunctionDefLibrary' } },
  FunctionDefLibrary: { 1: { msg: 'FunctionDef' } },
  FunctionDef: { 3: { msg: 'NodeDef' } },
  NodeDef: NODE,
};

const OPS: Readonly<Record<string, { severity: 'malicious' | 'suspicious'; why: string }>> = {
  PyFunc: { severity: 'malicious', why: 'runs a Python function of the loading process' },
  PyFuncStateless: { severity: 'malicious', why: 'runs a Python function of the loading process' },
  EagerPyFunc: { severity: 'malicious', why: 'runs a Python function of the loading process' },
  WriteFile: { severity: 'malicious', why: 'writes a file on the host' },
  DatasetToTFRecord: { severity: 'suspicious', why: 'writes a file on the host' },
  ExperimentalDatasetToTFRecord: { severity: 'suspicious', why: 'writes a file on the host' },
  CreateSummaryFileWriter: { severity: 'suspicious', why: 'writes files on the host' },
  ReadFile: { severity: 'suspicious', why: 'reads a file from the host (its content can flow to outputs)' },
  MatchingFiles: { severity: 'suspicious', why: 'lists files on the host' },
  ImmutableConst: { severity: 'suspicious', why: 'memory-maps a file from the host' },
  WholeFileReader: { severity: 'suspicious', why: 'reads files from the host' },
  WholeFileReaderV2: { severity: 'suspicious', why: 'reads files from the host' },
  TextLineDataset: { severity: 'suspicious', why: 'reads files from the host' },
  FixedLengthRecordDataset: { severity: 'suspicious', why: 'reads files from the host' },
  FixedLengthRecordDatasetV2: { severity: 'suspicious', why: 'reads files from the host' },
  TFRecordDataset: { severity: 'suspicious', why: 'reads files from the host' },
  TFRecordDatasetV2: { severity: 'suspicious', why: 'reads files from the host' },
  LoadAndRemapMatrix: { severity: 'suspicious', why: 'reads a checkpoint file named at run time' },
};

const LAMBDA = /"class_name"\s*:\s*"Lambda"/;

function isIdentifier(b: Buffer, start: number, len: number, upper: boolean): boolean {
  if (len === 0 || start + len > b.length) return false;
  const s = b.subarray(start, start + len).toString('latin1');
  return upper ? /^[A-Z][A-Za-z0-9_]*$/.test(s) : /^[\x21-\x7e]+$/.test(s);
}

/** A frozen GraphDef starts with a NodeDef: field 1 (LEN) holding name (field 1) then op (field 2). */
function looksLikeGraphDef(head: Buffer): boolean {
  if (head[0] !== 0x0a) return false;
  const outer = varintAt(head, 1);
  if (!outer || head[outer[1]] !== 0x0a) return false;
  const nameLen = varintAt(head, outer[1] + 1);
  if (!nameLen || !isIdentifier(head, nameLen[1], nameLen[0], false)) return false;
  const opAt = nameLen[1] + nameLen[0];
  if (head[opAt] !== 0x12) return false;
  const opLen = varintAt(head, opAt + 1);
  return opLen !== null && isIdentifier(head, opLen[1], opLen[0], true);
}

async function kerasMetadata(diskPath: string, ctx: ScanContext): Promise<void> {
  const file = join(dirname(diskPath), 'keras_metadata.pb');
  try {
    if ((await stat(file)).size > ctx.limits.maxHeaderBytes) return;
    const text = (await readFile(file)).toString('latin1');
    const m = LAMBDA.exec(text);
    if (m) ctx.report({ severity: 'malicious', rule: 'keras.lambda-code', callable: 'Lambda', message: `keras_metadata.pb next to this SavedModel describes a Keras Lambda layer (byte ${m.index}): its Python bytecode runs when the model is loaded with Keras.` });
  } catch {
    // no Keras metadata
  }
}

export const savedModelScanner: ScannerDescriptor = {
  id: 'savedmodel',
  version: '1.0.0',
  description: 'TensorFlow SavedModel and frozen GraphDef: Python ops, file-system ops, Keras Lambda metadata.',
  sniff(head) {
    // SavedModel: saved_model_schema_version = 1 (field 1 varint), then meta_graphs (field 2, LEN).
    if (head.length >= 4 && head[0] === 0x08 && head[1] === 0x01 && head[2] === 0x12) return true;
    return looksLikeGraphDef(head);
  },
  async scan(input, ctx) {
    const root = input.head[0] === 0x08 ? 'SavedModel' : 'GraphDef';
    const ops = new Map<string, { count: number; node: string; at: number }>();
    const onEnd = (f: Frame): void => {
      if (f.type !== 'NodeDef') return;
      const op = f.fields.get('op')?.[0];
      if (typeof op !== 'string' || !(op in OPS)) return;
      const seen = ops.get(op);
      if (seen) seen.count++;
      else ops.set(op, { count: 1, node: String(f.fields.get('name')?.[0] ?? '?'), at: f.start });
    };
    try {
      await walkWire(input.reader, input.size, SCHEMA, root, onEnd, ctx.signal);
    } catch (e) {
      if (!(e instanceof WireFault)) throw e;
      ctx.report({ severity: 'error', rule: 'tf.malformed', offset: e.offset, message: `Not a valid ${root} protobuf at offset ${e.offset}: ${e.message}.` });
    }
    for (const [op, o] of ops) {
      const rule = OPS[op]!;
      ctx.report({ severity: rule.severity, rule: rule.severity === 'malicious' ? 'tf.dangerous-op' : 'tf.file-system-op', offset: o.at, callable: op, message: `${o.count} node(s) run the ${op} op (first: '${o.node}'), which ${rule.why} when the graph executes.` });
    }
    if (root === 'SavedModel' && input.diskPath) await kerasMetadata(input.diskPath, ctx);
  },
};
