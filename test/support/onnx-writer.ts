/**
 * Writes small ONNX models for tests: the protobuf encoding of ModelProto by hand (a few message
 * types, field numbers from onnx.proto), so tests need neither Python's `onnx` package nor a
 * downloaded model. `bagOfTokensClassifier` builds a real classifier graph of the shape a text
 * model exported from Hugging Face has: `input_ids` and `attention_mask` (int64, [batch, seq]) in,
 * `logits` ([batch, labels]) out; each token adds its row of a weight table, averaged over the
 * attended tokens, plus a bias.
 */

class Writer {
  readonly #parts: number[] = [];

  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) byte |= 0x80;
      this.#parts.push(byte);
    } while (n !== 0n);
    return this;
  }
  key(field: number, wire: 0 | 2 | 5): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint): this {
    return this.key(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2).varint(b.length);
    for (const x of b) this.#parts.push(x);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, w: Writer): this {
    return this.bytes(field, w.done());
  }
  done(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

const FLOAT = 1;
const INT64 = 7;

type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: Dim[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().str(2, d));
  const tensorType = new Writer().int(1, elemType).msg(2, shape);
  return new Writer().str(1, name).msg(2, new Writer().msg(1, tensorType));
}

function floatTensor(name: string, dims: number[], data: Float32Array): Writer {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  return w.int(2, FLOAT).str(8, name).bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function int64Tensor(name: string, values: number[]): Writer {
  const raw = new BigInt64Array(values.map(BigInt));
  return new Writer().int(1, values.length).int(2, INT64).str(8, name).bytes(9, new Uint8Array(raw.buffer));
}

function node(op: string, inputs: string[], outputs: string[], attrs: Writer[] = []): Writer {
  const w = new Writer();
  for (const i of inputs) w.str(1, i);
  for (const o of outputs) w.str(2, o);
  w.str(3, `${op}_${outputs[0]}`).str(4, op);
  for (const a of attrs) w.msg(5, a);
  return w;
}

/** AttributeProto: name (1), type INT = 2 (20), i (3). */
const intAttr = (name: string, v: number) => new Writer().str(1, name).int(20, 2).int(3, v);

export interface BagOfTokensModel {
  /** [vocab][labels] weights, row-major. */
  weights: Float32Array;
  vocabSize: number;
  labels: number;
  bias?: number[];
  /** Also declare a token_type_ids input (as BERT exports do); the graph ignores it. */
  tokenTypeIds?: boolean;
  /** Output probabilities (softmax inside the graph) instead of logits. */
  softmax?: boolean;
}

export function bagOfTokensClassifier(m: BagOfTokensModel): Uint8Array {
  const graph = new Writer();
  const nodes = [
    node('Gather', ['W', 'input_ids'], ['g']),
    node('Cast', ['attention_mask'], ['mf'], [intAttr('to', FLOAT)]),
    node('Unsqueeze', ['mf', 'axis2'], ['m3']),
    node('Mul', ['g', 'm3'], ['gm']),
    node('ReduceSum', ['gm', 'axis1'], ['s'], [intAttr('keepdims', 0)]),
    node('ReduceSum', ['m3', 'axis1'], ['n'], [intAttr('keepdims', 0)]),
    node('Div', ['s', 'n'], ['mean']),
    node('Add', ['mean', 'B'], [m.softmax ? 'z' : 'logits']),
    ...(m.softmax ? [node('Softmax', ['z'], ['logits'], [intAttr('axis', -1)])] : []),
  ];
  for (const n of nodes) graph.msg(1, n);
  graph.str(2, 'bag_of_tokens');
  graph.msg(5, floatTensor('W', [m.vocabSize, m.labels], m.weights));
  graph.msg(5, floatTensor('B', [m.labels], Float32Array.from(m.bias ?? new Array(m.labels).fill(0))));
  graph.msg(5, int64Tensor('axis1', [1]));
  graph.msg(5, int64Tensor('axis2', [2]));
  graph.msg(11, valueInfo('input_ids', INT64, ['batch', 'sequence']));
  graph.msg(11, valueInfo('attention_mask', INT64, ['batch', 'sequence']));
  if (m.tokenTypeIds) graph.msg(11, valueInfo('token_type_ids', INT64, ['batch', 'sequence']));
  graph.msg(12, valueInfo('logits', FLOAT, ['batch', m.labels]));
  return new Writer()
    .int(1, 8) // ir_version
    .str(2, 'rampart-tests')
    .msg(7, graph)
    .msg(8, new Writer().str(1, '').int(2, 13)) // opset 13
    .done();
}

/**
 * A BERT-style WordPiece tokenizer.json over `words` ([PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, then
 * the words), lower-casing, with [CLS] … [SEP] added around each sequence.
 */
export function wordPieceTokenizer(words: readonly string[]): { tokenizer: unknown; config: unknown; vocab: Map<string, number> } {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  const vocab = new Map<string, number>([...special, ...words].map((w, i) => [w, i]));
  const added = special.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab) },
  };
  const config = { tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512, cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]' };
  return { tokenizer, config, vocab };
}
