/**
 * Runs a trusted host tool (mount, umount, bwrap --version) with a fixed argument vector, no shell,
 * an empty environment but PATH, a timeout and bounded output.
 */
import { execFile } from 'node:child_process';

export interface HostCommandResult {
  readonly ok: boolean;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runHostCommand(file: string, args: readonly string[], timeoutMs = 5000): Promise<HostCommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' }, cwd: '/', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
        resolve({ ok: !err, code, stdout, stderr: stderr || (err && !(typeof (err as { code?: unknown }).code === 'number') ? err.message : '') });
      },
    );
  });
}
