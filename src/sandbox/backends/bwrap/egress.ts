/**
 * Network by allow-list for one execution, through the egress proxy (src/sandbox/egress/,
 * docs/sandbox.md, Network "Wiring it into a backend"). The sandbox keeps its own network namespace
 * with nothing but loopback; the proxy runs here, on the host, on a Unix socket in a fresh 0711
 * directory of the backend's private directory, owned by the sandbox user, and bound read-only
 * into the sandbox with the forwarder (a Python relay from the sandbox's 127.0.0.1:3128 to the
 * socket). Every decision is the proxy's; the forwarder only copies bytes.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RampartError, isRampartError } from '../../../core/errors.ts';
import type { ExecResult } from '../../backend.ts';
import { FORWARDER_IN_SANDBOX, FORWARDER_PATH, FORWARDER_PORT, PROXY_SOCKET_IN_SANDBOX, forwarderCommand } from '../../egress/forwarder.ts';
import { startEgressProxy } from '../../egress/proxy.ts';

/** Unix socket paths are at most 107 bytes (sockaddr_un). */
const MAX_SOCKET_PATH = 107;

/** What the proxy saw: the attempts it kept, and how many it only counted. */
export type EgressRecord = Pick<ExecResult, 'network' | 'networkDropped'>;

export interface EgressRun {
  /** Read-only binds to add to bwrap: the proxy socket and the forwarder. */
  readonly binds: readonly (readonly [string, string])[];
  /** The command, run through the forwarder (exec mode: it listens, then execs the interpreter). */
  wrap(argv: readonly string[]): string[];
  /** Stops the proxy (ending the tunnels the program left) and returns the attempts it saw. */
  finish(): Promise<EgressRecord>;
}

/**
 * Copies forwarder.py into the backend's private directory (world-readable, so bwrap, running as
 * the sandbox user, can bind it whatever the permissions on the way to Rampart's sources). Returns
 * its host path, or null when the egress module has no forwarder.
 */
export async function installForwarder(baseDir: string): Promise<string | null> {
  const dest = join(baseDir, 'egress-forwarder.py');
  try {
    await copyFile(FORWARDER_PATH, dest);
    return dest;
  } catch {
    return null;
  }
}

export async function openEgress(o: { baseDir: string; forwarder: string; python: string; uid: number; gid: number; hosts: readonly string[] }): Promise<EgressRun> {
  const dir = join(o.baseDir, `n-${randomBytes(8).toString('hex')}`);
  const socketPath = join(dir, 'egress.sock');
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new RampartError('RAMPART_INTERNAL', { detail: 'The egress proxy socket path is too long: choose a shorter sandbox tmpDir.' });
  }
  await mkdir(dir, { mode: 0o711 });
  let proxy;
  try {
    proxy = await startEgressProxy({ socketPath, allowHosts: o.hosts, socketOwner: { uid: o.uid, gid: o.gid } });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    // A bad allow-list entry is the request's fault (the proxy calls it a configuration error).
    if (isRampartError(e) && e.code === 'RAMPART_CONFIG_INVALID') throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `network.hosts: ${e.detail ?? 'invalid'}` });
    throw e;
  }
  const started = proxy;
  return {
    binds: [
      [socketPath, PROXY_SOCKET_IN_SANDBOX],
      [o.forwarder, FORWARDER_IN_SANDBOX],
    ],
    wrap: (argv) => forwarderCommand(FORWARDER_PORT, PROXY_SOCKET_IN_SANDBOX, { python: o.python, exec: argv }),
    finish: async () => {
      try {
        await started.close();
        return { network: started.attempts().map(({ host, port, allowed }) => ({ host, port, allowed })), networkDropped: started.droppedAttempts() };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
