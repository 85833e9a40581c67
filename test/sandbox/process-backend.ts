/**
 * A test-only SandboxBackend that really runs code, with child_process, in a temporary directory
 * per environment: NO isolation at all. It lets the session, pool and execution logic be tested
 * against real programs (exit codes, output, files, timeouts) on any machine. The `egress` option
 * stands in for the egress proxy (another engineer's component): it reports the connection
 * attempts a program would have made.
 */
import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { RampartError } from '../../src/core/errors.ts';
import { SandboxRunError, type BackendStatus, type ExecRequest, type ExecResult, type KillReason, type SandboxBackend, type SandboxEnvironment, type SandboxFile, type SandboxLimits } from '../../src/sandbox/backend.ts';

export interface ProcessBackendOptions {
  /** Connection attempts the fake egress proxy reports for a program. */
  egress?: (req: ExecRequest) => ExecResult['network'];
  /** Attempts the fake egress proxy only counted (past its record caps). */
  egressDropped?: (req: ExecRequest) => ExecResult['networkDropped'];
  /** Fails the execution on the host side after the program ran (as when its processes cannot be stopped). */
  failAfterRun?: (req: ExecRequest) => boolean;
  /** Makes create() fail (pool back-off tests). */
  failCreate?: () => boolean;
  /** Delays create() (allocation latency with and without the pool). */
  createDelayMs?: number;
  status?: BackendStatus;
}

const COMMANDS: Record<string, (code: string) => [string, string[]]> = {
  python: (code) => ['python3', ['-c', code]],
  javascript: (code) => [process.execPath, ['-e', code]],
  shell: (code) => ['/bin/sh', ['-c', code]],
};

export class ProcessBackend implements SandboxBackend {
  readonly id = 'process-test';
  readonly opts: ProcessBackendOptions;
  created = 0;
  destroyed = 0;
  readonly live = new Set<ProcessEnvironment>();
  readonly createdLimits: SandboxLimits[] = [];

  constructor(opts: ProcessBackendOptions = {}) {
    this.opts = opts;
  }

  async status(): Promise<BackendStatus> {
    return this.opts.status ?? { available: true, reason: null, features: { isolation: 'none (test backend)' } };
  }

  async create(o: { sessionId: string; limits: SandboxLimits }): Promise<SandboxEnvironment> {
    if (this.opts.createDelayMs) await new Promise((r) => setTimeout(r, this.opts.createDelayMs));
    if (this.opts.failCreate?.()) throw new Error('create failed (test)');
    const dir = await mkdtemp(join(tmpdir(), 'rampart-sbx-test-'));
    const env = new ProcessEnvironment(o.sessionId, dir, this);
    this.created++;
    this.createdLimits.push(o.limits);
    this.live.add(env);
    return env;
  }

  async close(): Promise<void> {
    await Promise.all([...this.live].map((e) => e.destroy()));
  }
}

export class ProcessEnvironment implements SandboxEnvironment {
  readonly id: string;
  readonly dir: string;
  readonly #backend: ProcessBackend;
  readonly #running = new Set<() => void>();
  #destroyed = false;

  constructor(id: string, dir: string, backend: ProcessBackend) {
    this.id = id;
    this.dir = dir;
    this.#backend = backend;
  }

  exec(req: ExecRequest): Promise<ExecResult> {
    const [cmd, args] = COMMANDS[req.language]!(req.code);
    const start = performance.now();
    return new Promise((resolvePromise, reject) => {
      const child = spawn(cmd, args, { cwd: this.dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, LANG: 'C.UTF-8' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let killedBy: KillReason | null = null;
      const kill = (why: KillReason) => {
        killedBy ??= why;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone already */
        }
      };
      const streams = { stdout: { chunks: [] as Buffer[], kept: 0, total: 0 }, stderr: { chunks: [] as Buffer[], kept: 0, total: 0 } };
      for (const name of ['stdout', 'stderr'] as const) {
        child[name].on('data', (b: Buffer) => {
          const s = streams[name];
          s.total += b.length;
          const room = req.limits.outputBytes - s.kept;
          if (room > 0) {
            s.chunks.push(b.subarray(0, room));
            s.kept += Math.min(room, b.length);
          }
        });
      }
      const timer = setTimeout(() => kill('timeout'), req.limits.timeoutMs);
      const onAbort = () => kill('aborted');
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const stop = () => kill('aborted');
      this.#running.add(stop);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        this.#running.delete(stop);
        const network = this.#backend.opts.egress?.(req) ?? [];
        const networkDropped = this.#backend.opts.egressDropped?.(req) ?? { allowed: 0, refused: 0 };
        if (this.#backend.opts.failAfterRun?.(req)) return reject(new SandboxRunError({ detail: 'The sandbox processes could not be stopped (test).' }, { network, networkDropped }));
        resolvePromise({
          stdout: Buffer.concat(streams.stdout.chunks).toString('utf8'),
          stderr: Buffer.concat(streams.stderr.chunks).toString('utf8'),
          stdoutBytes: streams.stdout.total,
          stderrBytes: streams.stderr.total,
          truncated: streams.stdout.total > streams.stdout.kept || streams.stderr.total > streams.stderr.kept,
          exitCode: code,
          signal,
          durationMs: Math.round(performance.now() - start),
          cpuMs: null,
          peakMemoryBytes: null,
          killedBy,
          network,
          networkDropped,
        });
      });
    });
  }

  #inside(path: string): string {
    const full = resolve(this.dir, path);
    if (!full.startsWith(this.dir + sep)) throw new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { detail: 'outside the session' });
    return full;
  }

  async writeFile(path: string, data: Uint8Array): Promise<SandboxFile> {
    const full = this.#inside(path);
    await mkdir(dirname(full), { recursive: true });
    const st = await lstat(full).catch(() => null);
    if (st && !st.isFile()) throw new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { detail: 'not a regular file' });
    await writeFile(full, data);
    const after = await lstat(full);
    return { path, bytes: after.size, modifiedAt: Math.floor(after.mtimeMs) };
  }

  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    const full = this.#inside(path);
    const st = await lstat(full);
    if (!st.isFile()) throw new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { detail: 'not a regular file' });
    if (st.size > maxBytes) throw new RampartError('RAMPART_SANDBOX_FILE_REFUSED', { detail: 'too large' });
    return readFile(full);
  }

  async listFiles(): Promise<SandboxFile[]> {
    const names = await readdir(this.dir, { recursive: true });
    const out: SandboxFile[] = [];
    for (const n of names) {
      const st = await lstat(join(this.dir, n)).catch(() => null);
      if (st?.isFile()) out.push({ path: relative(this.dir, join(this.dir, n)).split(sep).join('/'), bytes: st.size, modifiedAt: Math.floor(st.mtimeMs) });
    }
    return out;
  }

  async deleteFile(path: string): Promise<void> {
    await unlink(this.#inside(path));
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const stop of this.#running) stop();
    await rm(this.dir, { recursive: true, force: true });
    this.#backend.live.delete(this);
    this.#backend.destroyed++;
  }
}
