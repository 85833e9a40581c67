/**
 * Files in a caller's session: list, upload (which starts the session when it does not exist),
 * download, delete. Paths are checked here against an allow-list before the backend sees them
 * (which refuses symlinks, devices and paths outside the file space on its own as well).
 */
import { RampartError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { SandboxEnvironment, SandboxFile } from './backend.ts';
import type { Availability } from './availability.ts';
import type { CallerPolicyResolver } from './caller-policy.ts';
import type { SessionManager } from './sessions.ts';
import { agentOf } from '../identity/agents.ts';

/** One path segment: letters, digits and `. _ - + @ = ,` and spaces (not `.` or `..` alone). */
const SEGMENT = /^[A-Za-z0-9._\-+@=, ]{1,255}$/;
const MAX_PATH = 1024;

/** A relative POSIX path inside the session's file space, or RAMPART_SANDBOX_FILE_REFUSED. */
export function checkFilePath(raw: string): string {
  const refuse = (why: string) => new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { detail: `path: ${why}.`, param: 'path' });
  if (raw.length === 0 || raw.length > MAX_PATH) throw refuse(`1 to ${MAX_PATH} characters`);
  if (raw.startsWith('/')) throw refuse('must be relative to the session\'s file space');
  const segments = raw.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw refuse('no empty, "." or ".." segments');
    if (!SEGMENT.test(s) || s.trim() !== s) throw refuse('letters, digits, spaces inside a name and . _ - + @ = , only');
  }
  return raw;
}

/** Strict base64 (RFC 4648 §4, padded): Buffer.from would skip anything it does not know. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** An upload's content. The request body limit bounds the text; upload() checks the file's size. */
export function decodeBase64(text: string): Buffer {
  if (!BASE64.test(text)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'contentBase64: not base64 (RFC 4648, padded)', param: 'contentBase64' });
  return Buffer.from(text, 'base64');
}

const REFUSALS = new Set(['RAMPART_FORBIDDEN', 'RAMPART_INVALID_REQUEST', 'RAMPART_BODY_TOO_LARGE']);

/** Backend file errors as coded errors (a missing file is 404; a refused one 400); others pass on. */
function fileError(e: unknown, path: string): unknown {
  // The backend's own refusals (a symlink, a directory, a full file space) under the API's one code.
  if (e instanceof RampartError && REFUSALS.has(e.code)) return new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { ...(e.detail ? { detail: e.detail } : {}), cause: e });
  if (e instanceof RampartError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return new RampartError('RAMPART_NOT_FOUND', { detail: `No file '${path}' in this session.`, cause: e });
  if (typeof code === 'string' && ['EISDIR', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'EFBIG', 'ENOSPC', 'EINVAL', 'E2BIG'].includes(code)) {
    return new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { detail: `'${path}' (${code}).`, cause: e });
  }
  return e;
}

export interface SessionFilesOptions {
  sessions: SessionManager;
  availability: Availability;
  policyOf: CallerPolicyResolver;
  maxUploadBytes: number;
  maxDownloadBytes: number;
}

export class SessionFiles {
  readonly #o: SessionFilesOptions;

  constructor(opts: SessionFilesOptions) {
    this.#o = opts;
  }

  async list(principal: Principal, identifier: string): Promise<SandboxFile[]> {
    await this.#o.availability.assert();
    return this.#run(principal, identifier, false, (env) => env.listFiles());
  }

  /**
   * Writes a file, starting the session when it does not exist. The one check of its size: at most
   * the config's cap and the caller's file limit, whichever is smaller.
   */
  async upload(principal: Principal, identifier: string, path: string, data: Uint8Array): Promise<SandboxFile> {
    const max = Math.min(this.#o.maxUploadBytes, this.#policy(principal).limits.fileBytes);
    if (data.length > max) throw new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { detail: `The file is larger than ${max} bytes.` });
    await this.#o.availability.assert();
    const p = checkFilePath(path);
    return this.#run(principal, identifier, true, (env) => env.writeFile(p, data).catch((e: unknown) => Promise.reject(fileError(e, p))));
  }

  async download(principal: Principal, identifier: string, path: string): Promise<Uint8Array> {
    await this.#o.availability.assert();
    const p = checkFilePath(path);
    return this.#run(principal, identifier, false, (env) => env.readFile(p, this.#o.maxDownloadBytes).catch((e: unknown) => Promise.reject(fileError(e, p))));
  }

  async delete(principal: Principal, identifier: string, path: string): Promise<void> {
    await this.#o.availability.assert();
    const p = checkFilePath(path);
    await this.#run(principal, identifier, false, (env) => env.deleteFile(p).catch((e: unknown) => Promise.reject(fileError(e, p))));
  }

  #policy(principal: Principal) {
    return this.#o.policyOf(principal, agentOf(principal)?.id ?? null);
  }

  #run<T>(principal: Principal, identifier: string, create: boolean, fn: (env: SandboxEnvironment) => Promise<T>): Promise<T> {
    return this.#o.sessions.run(principal.id, identifier, { create, limits: this.#policy(principal).limits }, (s) => fn(s.env));
  }
}
