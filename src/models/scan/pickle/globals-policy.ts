/**
 * Which Python globals a pickle may name. Allow-list first: a global on the small safe list is
 * data plumbing (containers, numpy and torch tensor rebuilders); a global on the deny list runs
 * code, touches the OS or loads more pickles (malicious); anything else is suspicious, because
 * unpickling imports its module and may call it with attacker-chosen arguments.
 *
 * Python's `find_class` resolves dotted names attribute by attribute (protocol 4+), so
 * `collections` + `_sys.modules` reaches `sys` from an allowed module: dunder segments and
 * segments naming a dangerous module or callable are malicious wherever they appear.
 */

export type GlobalClass = { readonly severity: 'malicious' | 'suspicious'; readonly rule: string; readonly why: string } | null;

/** Python 2 names that `pickle` maps to Python 3 modules (Lib/_compat_pickle.py, IMPORT_MAPPING). */
const PY2_MODULES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  exceptions: 'builtins',
  cPickle: 'pickle',
  commands: 'subprocess',
  Queue: 'queue',
  urllib2: 'urllib.request',
  httplib: 'http.client',
  SocketServer: 'socketserver',
  // The rest of CPython's _compat_pickle.IMPORT_MAPPING that reaches a denied module.
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  StringIO: 'io',
  cStringIO: 'io',
  SimpleHTTPServer: 'http.server',
  BaseHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
  Cookie: 'http.cookies',
  cookielib: 'http.cookiejar',
  xmlrpclib: 'xmlrpc.client',
  SimpleXMLRPCServer: 'xmlrpc.server',
  DocXMLRPCServer: 'xmlrpc.server',
  anydbm: 'dbm',
  whichdb: 'dbm',
  dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb',
  gdbm: 'dbm.gnu',
  robotparser: 'urllib.robotparser',
  urlparse: 'urllib.parse',
  urllib: 'urllib.parse',
  UserDict: 'collections',
  repr: 'reprlib',
  Tkinter: 'tkinter',
  _winreg: 'winreg',
};

const SAFE_BUILTINS = new Set(['set', 'frozenset', 'dict', 'list', 'tuple', 'bytearray', 'bytes', 'complex', 'int', 'float', 'str', 'bool', 'slice', 'range', 'object']);

const TORCH_STORAGES = [
  'FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage',
  'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexFloatStorage', 'ComplexDoubleStorage', 'QInt8Storage',
  'QUInt8Storage', 'QInt32Storage', 'QUInt4x2Storage', 'QUInt2x4Storage', 'UntypedStorage',
];
const TORCH_DTYPES = [
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'int8', 'int16', 'short', 'int32', 'int',
  'int64', 'long', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'complex64', 'complex128', 'cfloat', 'cdouble',
  'float8_e4m3fn', 'float8_e5m2', 'qint8', 'quint8', 'qint32',
];
const TORCH_REBUILD = [
  '_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state',
  '_rebuild_qtensor', '_rebuild_sparse_tensor', '_rebuild_device_tensor_from_numpy', '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass', '_rebuild_nested_tensor',
];

/** Exact `module.name` pairs that only rebuild data. */
const SAFE = new Set<string>([
  ...[...SAFE_BUILTINS].map((n) => `builtins.${n}`),
  'collections.OrderedDict', 'collections.defaultdict', 'collections.Counter', 'collections.deque',
  'copyreg._reconstructor', '_codecs.encode',
  'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta', 'datetime.timezone',
  'numpy.ndarray', 'numpy.dtype',
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
  'joblib.numpy_pickle.NumpyArrayWrapper',
  ...TORCH_REBUILD.map((n) => `torch._utils.${n}`),
  'torch._tensor._rebuild_from_type', 'torch._tensor._rebuild_from_type_v2',
  ...TORCH_STORAGES.map((n) => `torch.${n}`),
  ...TORCH_DTYPES.map((n) => `torch.${n}`),
  // Legacy checkpoints name tensor types without calling them (torch/serialization.py legacy_load).
  ...['Float', 'Double', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool'].map((n) => `torch.${n}Tensor`),
  'torch.Size', 'torch.device', 'torch.strided', 'torch.sparse_coo', 'torch.per_tensor_affine', 'torch.serialization._get_layout',
]);

/** Modules every name of which is dangerous: code execution, the OS, the network, more deserialization. */
const DANGEROUS_MODULES = new Set([
  'os', 'posix', 'nt', 'posixpath', 'ntpath', 'subprocess', '_posixsubprocess', 'sys', 'socket', '_socket', 'shutil',
  'runpy', 'importlib', 'imp', '_imp', 'zipimport', 'pkgutil', 'pickle', '_pickle', 'marshal', 'types', 'ctypes',
  '_ctypes', 'webbrowser', 'pty', 'code', 'codeop', 'popen2', 'platform', 'multiprocessing', 'asyncio', 'concurrent',
  '_thread', 'threading', 'signal', 'pdb', 'bdb', 'timeit', 'trace', 'profile', 'cProfile', 'pydoc', 'ensurepip', 'pip',
  'venv', 'distutils', 'setuptools', 'site', 'linecache', 'io', '_io', 'pathlib', 'fileinput', 'tempfile', 'glob',
  'dill', 'cloudpickle', 'http', 'urllib', 'requests', 'ftplib', 'telnetlib', 'smtplib', 'xmlrpc', 'socketserver',
  'sqlite3', 'shelve', 'dbm', 'mmap', 'resource', 'gc', 'inspect', 'ast', 'dis',
  // Private helpers that run shell commands or code.
  '_osx_support', '_aix_support', 'doctest', 'idlelib', 'winreg', '_dummy_thread', 'tkinter',
]);

/** Single dangerous callables in otherwise mixed modules. */
const DANGEROUS_NAMES = new Set([
  'builtins.eval', 'builtins.exec', 'builtins.execfile', 'builtins.compile', 'builtins.__import__', 'builtins.open',
  'builtins.file', 'builtins.getattr', 'builtins.setattr', 'builtins.delattr', 'builtins.globals', 'builtins.locals',
  'builtins.vars', 'builtins.input', 'builtins.raw_input', 'builtins.breakpoint', 'builtins.apply', 'builtins.reload',
  'builtins.__loader__', 'builtins.__builtins__', 'builtins.help',
  'operator.attrgetter', 'operator.methodcaller', 'operator.call', 'codecs.open', '_codecs.open',
  'numpy.load', 'numpy.lib.npyio.load', 'numpy.testing._private.utils.runstring', 'numpy.ctypeslib.load_library',
  'torch.load', 'torch.serialization.load', 'torch.jit.load', 'torch._C._jit_load', 'torch.utils.cpp_extension.load',
  'torch.utils.cpp_extension.load_inline', 'joblib.load', 'joblib.numpy_pickle.load', 'pandas.read_pickle',
  'pandas.io.pickle.read_pickle', 'yaml.load', 'yaml.unsafe_load', 'jinja2.Template', 'logging.config.listen',
  // A nested load of a whole checkpoint. (torch.storage._load_from_bytes stays suspicious, for a
  // reviewer: plain pickles of models use it for their storages, and its bytes are not yet scanned.)
  'torch.serialization._load',
]);

/** Packages whose every submodule is dangerous (checked on the dotted module path). */
const DANGEROUS_PACKAGES = ['torch.hub', 'torch.package', 'torch.utils.cpp_extension', 'numpy.f2py', 'numpy.distutils', 'numpy.ctypeslib', 'logging.config'];

/** Attribute-path segments that reach execution when traversed from any module. */
const DANGEROUS_SEGMENTS = new Set([
  'os', 'sys', 'subprocess', 'builtins', 'posix', 'nt', 'system', 'popen', 'eval', 'exec', 'execfile', 'compile',
  'import_module', 'spawn', 'spawnl', 'spawnv', 'execv', 'execve', 'execl', 'fork', 'getattr', 'setattr', 'globals',
  'modules', 'load', 'loads', 'open', 'remove', 'unlink', 'rmtree', 'check_output', 'check_call', 'run', 'call',
  'Popen', 'getoutput', 'getstatusoutput', 'socket', 'shutil', 'runpy', 'importlib', 'pickle', 'marshal', 'ctypes',
]);

export function normalizeModule(module: string): string {
  const mapped = PY2_MODULES[module];
  if (mapped) return mapped;
  const top = module.split('.', 1)[0]!;
  const mappedTop = PY2_MODULES[top];
  return mappedTop ? mappedTop + module.slice(top.length) : module;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a dotted Python identifier path (what `import` and `getattr` chains accept). */
export function isDottedIdentifier(s: string): boolean {
  if (s.length === 0 || s.length > 512) return false;
  for (const part of s.split('.')) if (!IDENTIFIER.test(part)) return false;
  return true;
}

/** Classifies the global `module.name` a pickle resolves; null when it is on the safe list. */
export function classifyGlobal(rawModule: string, name: string): GlobalClass {
  const module = normalizeModule(rawModule);
  const qualified = `${module}.${name}`;
  if (SAFE.has(qualified)) return null;
  const top = module.split('.', 1)[0]!;
  if (DANGEROUS_MODULES.has(top)) {
    return { severity: 'malicious', rule: 'pickle.dangerous-global', why: `module '${top}' gives access to code execution, the OS or the network` };
  }
  if (DANGEROUS_NAMES.has(qualified) || DANGEROUS_NAMES.has(`${module}.${name.split('.', 1)[0]}`)) {
    return { severity: 'malicious', rule: 'pickle.dangerous-global', why: 'it executes code, reads or writes files, or deserializes more untrusted data' };
  }
  for (const p of DANGEROUS_PACKAGES) {
    if (module === p || module.startsWith(`${p}.`) || qualified.startsWith(`${p}.`)) {
      return { severity: 'malicious', rule: 'pickle.dangerous-global', why: `'${p}' loads or compiles code` };
    }
  }
  // Python resolves dotted names segment by segment (pickle._getattribute), so attribute paths
  // can walk from an allowed module to anything it imported.
  const segments = [...module.split('.').slice(1), ...name.split('.')];
  for (const seg of segments) {
    if (/^__\w+__$/.test(seg) && seg !== '__init__' && seg !== '__new__') {
      return { severity: 'malicious', rule: 'pickle.dunder-traversal', why: `the attribute path goes through '${seg}', a way to reach interpreter internals` };
    }
  }
  if (name.includes('.')) {
    for (const seg of name.split('.')) {
      if (DANGEROUS_SEGMENTS.has(seg.replace(/^_+/, ''))) {
        return { severity: 'malicious', rule: 'pickle.dangerous-global', why: `the attribute path reaches '${seg}'` };
      }
    }
  }
  if (!isDottedIdentifier(module) || !isDottedIdentifier(name)) {
    return { severity: 'suspicious', rule: 'pickle.unknown-global', why: 'the name is not a Python identifier path; a loader would fail to import it, or it is obfuscated' };
  }
  return { severity: 'suspicious', rule: 'pickle.unknown-global', why: 'it is not on the allow-list of data-only globals: unpickling imports its module and may call it' };
}

/** Element size of a torch legacy storage class, or undefined when unknown. */
export function torchStorageElementSize(module: string, name: string): number | undefined {
  if (normalizeModule(module) !== 'torch') return undefined;
  const sizes: Record<string, number> = {
    FloatStorage: 4, DoubleStorage: 8, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8, IntStorage: 4, ShortStorage: 2,
    CharStorage: 1, ByteStorage: 1, BoolStorage: 1, ComplexFloatStorage: 8, ComplexDoubleStorage: 16, QInt8Storage: 1,
    QUInt8Storage: 1, QInt32Storage: 4, QUInt4x2Storage: 1, QUInt2x4Storage: 1, UntypedStorage: 1,
  };
  return sizes[name];
}
