/**
 * Checks of what the backend is handed, field by field, before any work: the sessions service
 * validates requests too, but this is the last step before a process is spawned, so it trusts
 * nothing it is given (a plain-data snapshot is taken; later mutation by the caller changes
 * nothing).
 */
import { RampartError } from '../../../core/errors.ts';
import type { ExecRequest, SandboxLanguage, SandboxLimits } from '../../backend.ts';

const LANGUAGES: readonly SandboxLanguage[] = ['python', 'javascript', 'shell'];
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/**
 * Variables a request may not set (docs/sandbox.md, "Environment"): HOME and PATH of the base
 * environment, and those that make the dynamic loader, Node, Python or a shell load code from
 * somewhere other than the program text, such as a file uploaded to the file space: that would
 * run unapproved code inside an approved program. Refused whatever the caller's approval mode
 * (the backend does not know it). The sessions API does not pass variables today; this holds if
 * it ever does.
 */
const RESERVED_ENV = /^(?:HOME|PATH|LD_[A-Z0-9_]*|GCONV_PATH|NODE_OPTIONS|NODE_PATH|PYTHON[A-Z0-9_]*|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|PERL5OPT|PERL5LIB|PERLLIB)$/;
const MAX_ENV_VARS = 128;
const MAX_ENV_BYTES = 64 * 1024;
/** The largest program text, whatever fileBytes allows. */
export const MAX_CODE_BYTES = 4 * 1024 * 1024;
const SESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

const invalid = (detail: string): RampartError => new RampartError('RAMPART_INVALID_REQUEST', { detail });

const LIMIT_BOUNDS: Readonly<Record<keyof SandboxLimits, readonly [min: number, max: number, integer: boolean]>> = {
  timeoutMs: [1, 3_600_000, true],
  memoryBytes: [8 * 1024 * 1024, 2 ** 46, true],
  cpus: [0.01, 1024, false],
  pids: [1, 1_000_000, true],
  diskBytes: [64 * 1024, 2 ** 46, true],
  fileBytes: [1, 2 ** 46, true],
  openFiles: [8, 1_048_576, true],
  outputBytes: [1, 2 ** 32, true],
};

/** A copy of `limits`, every field a finite number in its bounds. */
export function checkLimits(limits: unknown): SandboxLimits {
  if (typeof limits !== 'object' || limits === null) throw invalid('limits: an object is required.');
  const src = limits as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [k, [min, max, integer]] of Object.entries(LIMIT_BOUNDS)) {
    const v = src[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw invalid(`limits.${k}: ${integer ? 'an integer' : 'a number'} from ${min} to ${max} is required.`);
    }
    out[k] = v;
  }
  return out as unknown as SandboxLimits;
}

export function checkSessionId(id: unknown): string {
  if (typeof id !== 'string' || !SESSION_ID.test(id)) throw invalid('sessionId: 1 to 128 of A-Z a-z 0-9 _ . : - are required.');
  return id;
}

export interface CheckedExec {
  readonly language: SandboxLanguage;
  readonly code: Buffer;
  readonly limits: SandboxLimits;
  readonly env: Readonly<Record<string, string>>;
  /** Null: no network; else the hosts the egress proxy may let the program reach. */
  readonly allowHosts: readonly string[] | null;
  readonly signal: AbortSignal | undefined;
}

const MAX_HOSTS = 256;

/** `none`, or an allow-list of host patterns (each checked again by the egress proxy). */
function checkNetwork(network: unknown): readonly string[] | null {
  const n = network as { mode?: unknown; hosts?: unknown } | null | undefined;
  if (n?.mode === 'none') return null;
  if (n?.mode !== 'allow-list') throw invalid('network: { mode: "none" } or { mode: "allow-list", hosts } is required.');
  const hosts = n.hosts;
  if (!Array.isArray(hosts) || hosts.length === 0 || hosts.length > MAX_HOSTS) throw invalid(`network.hosts: 1 to ${MAX_HOSTS} host patterns are required.`);
  for (const h of hosts) {
    if (typeof h !== 'string' || h.length === 0 || h.length > 300) throw invalid('network.hosts: each entry is a host pattern of up to 300 characters.');
  }
  return [...(hosts as string[])];
}

export function checkExecRequest(req: ExecRequest): CheckedExec {
  if (typeof req !== 'object' || req === null) throw invalid('an execution request is required.');
  const language = req.language;
  if (!LANGUAGES.includes(language)) throw invalid(`language: one of ${LANGUAGES.join(', ')} is required.`);
  if (typeof req.code !== 'string') throw invalid('code: a string is required.');
  const limits = checkLimits(req.limits);
  const code = Buffer.from(req.code, 'utf8');
  if (code.length > Math.min(MAX_CODE_BYTES, limits.fileBytes)) throw invalid(`code: at most ${Math.min(MAX_CODE_BYTES, limits.fileBytes)} bytes.`);
  const network = checkNetwork(req.network);
  const env: Record<string, string> = {};
  let envBytes = 0;
  if (req.env !== undefined) {
    if (typeof req.env !== 'object' || req.env === null) throw invalid('env: an object is required.');
    const entries = Object.entries(req.env);
    if (entries.length > MAX_ENV_VARS) throw invalid(`env: at most ${MAX_ENV_VARS} variables.`);
    for (const [k, v] of entries) {
      if (!ENV_NAME.test(k) || k.length > 128) throw invalid('env: names are [A-Z_][A-Z0-9_]* (up to 128).');
      if (RESERVED_ENV.test(k)) throw invalid(`env.${k}: this variable may not be set (it could make the interpreter load code other than the program).`);
      if (typeof v !== 'string' || v.includes('\0')) throw invalid(`env.${k}: a string without NUL is required.`);
      envBytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
      env[k] = v;
    }
    if (envBytes > MAX_ENV_BYTES) throw invalid(`env: at most ${MAX_ENV_BYTES} bytes in all.`);
  }
  if (req.signal !== undefined && !(req.signal instanceof AbortSignal)) throw invalid('signal: an AbortSignal is required.');
  return { language, code, limits, env, allowHosts: network, signal: req.signal };
}
