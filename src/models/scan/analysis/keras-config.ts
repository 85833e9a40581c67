/**
 * Keras model configs (the JSON of `.keras` `config.json`, of HDF5 `model_config`, of
 * `model.to_json()`): Lambda layers carry marshalled Python bytecode that runs on load (Keras 2:
 * `function: [base64, defaults, closure]` with `function_type: 'lambda'`; Keras 3:
 * `function: {class_name: '__lambda__', config: {code}}`), `module` fields name what Keras 3
 * imports, and a few Keras functions switch safety off or fetch files (CVE-2025-1550,
 * CVE-2024-3660).
 */
import type { FindingInput } from '../scanner.ts';

const DANGEROUS_MODULES = new Set(['os', 'posix', 'nt', 'subprocess', 'sys', 'builtins', 'socket', 'shutil', 'runpy', 'importlib', 'pickle', 'marshal', 'types', 'ctypes', 'code', 'pty', 'webbrowser', 'io', 'pathlib']);
const DANGEROUS_FUNCTIONS = new Set(['enable_unsafe_deserialization', 'get_file', 'load_model', 'load_weights', 'exec', 'eval', 'system', 'popen']);
const KERAS_MODULES = /^(keras|tf_keras|tensorflow|keras_nlp|keras_hub|keras_cv)(\.|$)/;
const TF_OP_DANGER = /(^|\.)(io\.|gfile|py_function|numpy_function|py_func|write_file|read_file|matching_files|ensure_shape_exec)|\b(os|subprocess|system|popen)\b/;
const MAX_NODES = 1_000_000;

type Report = (f: Omit<FindingInput, 'offset'>) => void;

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function layerName(o: Record<string, unknown>): string {
  const cfg = asObject(o['config']);
  const n = cfg?.['name'];
  return typeof n === 'string' ? n : '(unnamed)';
}

function checkLambda(o: Record<string, unknown>, report: Report): void {
  const cfg = asObject(o['config']) ?? {};
  const fn = cfg['function'];
  const name = layerName(o);
  const fnObj = asObject(fn);
  const code3 = fnObj && fnObj['class_name'] === '__lambda__' ? asObject(fnObj['config'])?.['code'] : undefined;
  if ((Array.isArray(fn) && typeof fn[0] === 'string') || typeof code3 === 'string') {
    const code = typeof code3 === 'string' ? code3 : (fn as string[])[0]!;
    report({ severity: 'malicious', rule: 'keras.lambda-code', callable: `Lambda:${name}`, message: `Lambda layer '${name}' carries ${code.length} characters of base64 marshalled Python bytecode, which Keras executes when the model is loaded.` });
    return;
  }
  report({ severity: 'suspicious', rule: 'keras.lambda-function', callable: `Lambda:${name}`, message: `Lambda layer '${name}' calls ${typeof fn === 'string' ? `the named function '${fn}'${typeof cfg['module'] === 'string' ? ` from '${cfg['module']}'` : ''}` : 'a function'} that must be importable when the model loads.` });
}

function checkModule(o: Record<string, unknown>, report: Report): void {
  const module = o['module'];
  if (typeof module !== 'string') return;
  const cls = typeof o['class_name'] === 'string' ? o['class_name'] : '?';
  const top = module.split('.', 1)[0]!;
  const cfg = o['config'];
  if (DANGEROUS_MODULES.has(top)) {
    report({ severity: 'malicious', rule: 'keras.dangerous-module', callable: `${module}.${typeof cfg === 'string' ? cfg : cls}`, message: `The config makes Keras import '${module}' (${cls}), a module that gives access to code execution or the OS.` });
    return;
  }
  if (cls === 'function' && typeof cfg === 'string' && DANGEROUS_FUNCTIONS.has(cfg)) {
    report({ severity: 'malicious', rule: 'keras.dangerous-function', callable: `${module}.${cfg}`, message: `The config calls ${module}.${cfg} during deserialization: it disables safe mode, fetches files or loads more models.` });
    return;
  }
  if (!KERAS_MODULES.test(module)) {
    report({ severity: 'suspicious', rule: 'keras.custom-object', callable: `${module}.${cls}`, message: `Custom object ${cls} from module '${module}': loading imports that module, whose code this scan cannot see.` });
  }
}

/** Reports what in a parsed Keras config would run code on load. */
export function analyzeKerasConfig(config: unknown, report: Report): void {
  const stack: { v: unknown; depth: number }[] = [{ v: config, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (++nodes > MAX_NODES || depth > 256) {
      report({ severity: 'error', rule: 'keras.config-too-complex', message: 'The config is too deeply nested or too large to analyze.' });
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push({ v: x, depth: depth + 1 });
      continue;
    }
    const o = asObject(v);
    if (!o) continue;
    const cls = o['class_name'];
    const registered = typeof o['registered_name'] === 'string' ? o['registered_name'] : '';
    if (cls === 'Lambda' || registered.endsWith('>Lambda')) checkLambda(o, report);
    else if (cls === 'TFOpLambda' || cls === 'SlicingOpLambda') {
      const fn = asObject(o['config'])?.['function'];
      if (typeof fn === 'string' && TF_OP_DANGER.test(fn)) {
        report({ severity: 'malicious', rule: 'keras.dangerous-tf-op', callable: fn, message: `TFOpLambda layer '${layerName(o)}' calls tf.${fn}, which reads or writes files or runs Python.` });
      }
    }
    if (typeof cls === 'string') checkModule(o, report);
    if (registered.includes('>') && typeof o['module'] !== 'string') {
      report({ severity: 'suspicious', rule: 'keras.custom-object', callable: registered, message: `Custom registered object '${registered}': loading needs its code, which this scan cannot see.` });
    }
    for (const x of Object.values(o)) if (x !== null && typeof x === 'object') stack.push({ v: x, depth: depth + 1 });
  }
}
