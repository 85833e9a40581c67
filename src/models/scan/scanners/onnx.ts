/**
 * ONNX models (onnx/onnx.proto3). The format holds no Python, but a tensor may keep its data in an
 * external file (`external_data` with `location`, onnx/external_data_helper.py): a location that
 * is absolute or climbs out with `..` makes the runtime read any file on the host into a tensor
 * (exfiltration through outputs) and is malicious. External files are checked to exist and to
 * cover `offset + length`. Ops from custom domains need a native custom-op library: suspicious.
 */
import { stat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { note, varintAt, walkWire, WireFault, type Frame, type WireSchema } from '../analysis/protobuf-wire.ts';
import type { ScanContext, ScannerDescriptor } from '../scanner.ts';

const SCHEMA: WireSchema = {
  ModelProto: { 7: { msg: 'GraphProto' }, 8: { msg: 'OperatorSetIdProto' }, 20: { msg: 'TrainingInfoProto' }, 25: { msg: 'FunctionProto' } },
  TrainingInfoProto: { 1: { msg: 'GraphProto' }, 2: { msg: 'GraphProto' } },
  GraphProto: { 1: { msg: 'NodeProto' }, 5: { msg: 'TensorProto' }, 15: { msg: 'SparseTensorProto' } },
  FunctionProto: { 1: { str: 'name' }, 7: { msg: 'NodeProto' }, 10: { str: 'domain' } },
  NodeProto: { 3: { str: 'name' }, 4: { str: 'op_type' }, 5: { msg: 'AttributeProto' }, 7: { str: 'domain' } },
  AttributeProto: { 5: { msg: 'TensorProto' }, 6: { msg: 'GraphProto' }, 10: { msg: 'TensorProto' }, 11: { msg: 'GraphProto' }, 22: { msg: 'SparseTensorProto' }, 23: { msg: 'SparseTensorProto' } },
  SparseTensorProto: { 1: { msg: 'TensorProto' }, 2: { msg: 'TensorProto' } },
  TensorProto: { 8: { str: 'name' }, 13: { msg: 'StringStringEntryProto' }, 14: { varint: 'data_location' } },
  StringStringEntryProto: { 1: { str: 'key' }, 2: { str: 'value' } },
  OperatorSetIdProto: { 1: { str: 'domain' } },
};

/** Domains served by the standard runtimes without loading a custom-op library. */
const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.training', 'ai.onnx.preview.training', 'com.microsoft', 'com.microsoft.nchwc', 'com.microsoft.experimental', 'com.ms.internal.nhwc', 'org.pytorch.aten', 'pkg.onnxscript.torch_lib', 'pkg.onnxscript.torch_lib.common']);

interface External { tensor: string; location: string; offset: number; length: number | undefined; at: number }

function str(f: Frame, k: string): string | undefined {
  const v = f.fields.get(k)?.[0];
  return typeof v === 'string' ? v : undefined;
}

function locationProblem(location: string): string | null {
  if (location.startsWith('/') || location.startsWith('\\') || /^[A-Za-z]:/.test(location)) return 'is an absolute path';
  if (location.split(/[\\/]/).includes('..')) return "climbs out of the model directory with '..'";
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return 'is a URL';
  if (location.startsWith('~')) return 'starts with ~ (a home directory)';
  return null;
}

async function checkExternalFiles(externals: External[], diskPath: string, ctx: ScanContext): Promise<void> {
  const dir = dirname(diskPath);
  const realDir = await realpath(dir);
  for (const e of externals) {
    const file = resolve(dir, e.location);
    let size: number;
    try {
      const real = await realpath(file);
      const rel = relative(realDir, real);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        ctx.report({ severity: 'malicious', rule: 'onnx.external-data-traversal', offset: e.at, callable: e.location, message: `Tensor '${e.tensor}' reads external data from '${e.location}', a link that resolves outside the model directory (${real}).` });
        continue;
      }
      size = (await stat(real)).size;
    } catch {
      ctx.report({ severity: 'suspicious', rule: 'onnx.external-data-missing', offset: e.at, callable: e.location, message: `Tensor '${e.tensor}' needs external data file '${e.location}', which is not next to the model: not verified.` });
      continue;
    }
    const end = e.offset + (e.length ?? 0);
    if (e.offset > size || end > size) {
      ctx.report({ severity: 'error', rule: 'onnx.external-data-bounds', offset: e.at, callable: e.location, message: `Tensor '${e.tensor}' reads bytes [${e.offset}, ${end}) of '${e.location}', which has ${size} bytes.` });
    }
  }
}

export const onnxScanner: ScannerDescriptor = {
  id: 'onnx',
  version: '1.0.0',
  description: 'ONNX models: external-data paths that escape the model directory, external file bounds, custom-op domains.',
  sniff(head) {
    // ModelProto starts with ir_version (field 1, varint; 3..15 in practice), then another ModelProto field.
    if (head.length < 4 || head[0] !== 0x08) return false;
    const v = varintAt(head, 1);
    if (!v || v[0] < 3 || v[0] > 15) return false;
    const next = head[v[1]];
    return next === 0x12 || next === 0x1a || next === 0x22 || next === 0x28 || next === 0x32 || next === 0x3a || next === 0x42 || next === 0x72;
  },
  async scan(input, ctx) {
    const externals: External[] = [];
    const domains = new Map<string, { op: string; count: number }>();
    const functionDomains = new Set<string>();
    const onEnd = (f: Frame): void => {
      if (f.type === 'StringStringEntryProto' && f.parent) note(f.parent, 'entry', [str(f, 'key'), str(f, 'value')]);
      else if (f.type === 'TensorProto') {
        const entries = (f.notes.get('entry') ?? []) as [string | undefined, string | undefined][];
        const map = new Map(entries.filter((e): e is [string, string] => e[0] !== undefined && e[1] !== undefined));
        const location = map.get('location');
        const external = f.fields.get('data_location')?.[0] === 1;
        if (location === undefined) {
          if (external) ctx.report({ severity: 'error', rule: 'onnx.external-data-malformed', offset: f.start, callable: str(f, 'name'), message: `Tensor '${str(f, 'name') ?? '?'}' stores its data externally but names no location.` });
          return;
        }
        const tensor = str(f, 'name') ?? '?';
        const problem = locationProblem(location);
        if (problem) {
          ctx.report({ severity: 'malicious', rule: 'onnx.external-data-traversal', offset: f.start, callable: location, message: `Tensor '${tensor}' reads its data from '${location}', which ${problem}: loading the model reads that file from the host.` });
          return;
        }
        const offset = Number(map.get('offset') ?? 0);
        const length = map.has('length') ? Number(map.get('length')) : undefined;
        externals.push({ tensor, location, offset: Number.isFinite(offset) ? offset : 0, length: length !== undefined && Number.isFinite(length) ? length : undefined, at: f.start });
      } else if (f.type === 'NodeProto') {
        const domain = str(f, 'domain') ?? '';
        if (!STANDARD_DOMAINS.has(domain)) {
          const d = domains.get(domain);
          if (d) d.count++;
          else domains.set(domain, { op: str(f, 'op_type') ?? '?', count: 1 });
        }
      } else if (f.type === 'FunctionProto') {
        functionDomains.add(str(f, 'domain') ?? '');
      }
    };
    try {
      await walkWire(input.reader, input.size, SCHEMA, 'ModelProto', onEnd, ctx.signal);
    } catch (e) {
      if (!(e instanceof WireFault)) throw e;
      ctx.report({ severity: 'error', rule: 'onnx.malformed', offset: e.offset, message: `Not a valid ONNX protobuf at offset ${e.offset}: ${e.message}.` });
      return;
    }
    for (const [domain, d] of domains) {
      if (functionDomains.has(domain)) continue; // ops implemented by functions inside the model
      ctx.report({ severity: 'suspicious', rule: 'onnx.custom-op-domain', callable: `${domain}::${d.op}`, message: `${d.count} node(s) use ops of the custom domain '${domain}' (e.g. ${d.op}): running the model needs a native custom-op library.` });
    }
    if (externals.length > 0 && input.diskPath) await checkExternalFiles(externals, input.diskPath, ctx);
    else if (externals.length > 0) {
      ctx.report({ severity: 'info', rule: 'onnx.external-data', callable: externals[0]!.location, message: `${externals.length} tensor(s) keep their data in external files (e.g. '${externals[0]!.location}'), not checked inside an archive.` });
    }
  },
};
