/**
 * The pickle global allow-list: data plumbing passes; code execution, OS, network and nested
 * deserialization are malicious, including through Python 2 names and dotted attribute paths;
 * everything else is suspicious.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyGlobal } from '../../../src/models/scan/pickle/globals-policy.ts';

const SAFE = [
  ['collections', 'OrderedDict'], ['builtins', 'set'], ['__builtin__', 'frozenset'], ['copy_reg', '_reconstructor'],
  ['_codecs', 'encode'], ['torch._utils', '_rebuild_tensor_v2'], ['torch', 'FloatStorage'], ['torch', 'bfloat16'],
  ['numpy.core.multiarray', '_reconstruct'], ['numpy._core.multiarray', 'scalar'], ['numpy', 'dtype'], ['numpy', 'ndarray'],
  ['joblib.numpy_pickle', 'NumpyArrayWrapper'], ['torch._tensor', '_rebuild_from_type_v2'],
] as const;

const MALICIOUS = [
  ['os', 'system'], ['posix', 'system'], ['nt', 'system'], ['subprocess', 'Popen'], ['subprocess', 'check_output'],
  ['builtins', 'eval'], ['builtins', 'exec'], ['__builtin__', 'eval'], ['builtins', 'getattr'], ['builtins', '__import__'],
  ['builtins', 'compile'], ['builtins', 'open'], ['__builtin__', 'apply'], ['sys', 'modules'], ['socket', 'create_connection'],
  ['shutil', 'rmtree'], ['runpy', 'run_path'], ['importlib', 'import_module'], ['pickle', 'loads'], ['_pickle', 'loads'],
  ['marshal', 'loads'], ['types', 'FunctionType'], ['ctypes', 'CDLL'], ['webbrowser', 'open'], ['pty', 'spawn'],
  ['code', 'InteractiveInterpreter'], ['codeop', 'compile_command'], ['operator', 'attrgetter'], ['operator', 'methodcaller'],
  ['torch', 'load'], ['torch.hub', 'load'], ['torch.serialization', 'load'], ['numpy', 'load'], ['numpy.testing._private.utils', 'runstring'],
  ['commands', 'getoutput'], ['os.path', 'join'], ['builtins', 'eval.__call__'], ['collections', '_sys.modules'],
  ['builtins', 'object.__subclasses__'], ['torch', 'os.system'], ['timeit', 'timeit'], ['pdb', 'run'], ['cloudpickle', 'loads'],
] as const;

const SUSPICIOUS = [
  ['functools', 'partial'], ['sklearn.linear_model._logistic', 'LogisticRegression'], ['torch.nn.modules.linear', 'Linear'],
  ['builtins', 'print'], ['builtins', 'type'], ['torch.storage', '_load_from_bytes'], ['mypkg', 'Thing'], ['os ', 'x'],
] as const;

describe('pickle global allow-list', () => {
  for (const [m, n] of SAFE) it(`allows ${m}.${n}`, () => assert.equal(classifyGlobal(m, n), null));
  for (const [m, n] of MALICIOUS) it(`flags ${m}.${n} as malicious`, () => assert.equal(classifyGlobal(m, n)?.severity, 'malicious'));
  for (const [m, n] of SUSPICIOUS) it(`flags ${m}.${n} as suspicious`, () => assert.equal(classifyGlobal(m, n)?.severity, 'suspicious'));
});
