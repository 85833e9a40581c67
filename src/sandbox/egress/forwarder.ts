/**
 * The in-sandbox half of the egress path: forwarder.py, which relays TCP connections on the
 * sandbox's loopback to the egress proxy's Unix socket (see its docstring and
 * docs/sandbox.md, Network). This module only says where it is and how to run it.
 */
import { fileURLToPath } from 'node:url';
import { RampartError } from '../../core/errors.ts';

/** Host path of forwarder.py. */
export const FORWARDER_PATH: string = fileURLToPath(new URL('./forwarder.py', import.meta.url));

/** Where the backend binds forwarder.py (read-only) inside the sandbox. */
export const FORWARDER_IN_SANDBOX = '/run/rampart-egress/forwarder.py';

/** Where the backend binds the proxy's socket file (read-only is enough to connect) inside the sandbox. */
export const PROXY_SOCKET_IN_SANDBOX = '/run/rampart-egress/egress.sock';

/** The loopback port the forwarder listens on inside the sandbox (the sandbox has its own loopback). */
export const FORWARDER_PORT = 3128;

/** Standalone mode prints this, then the port, then a newline, once it listens. */
export const FORWARDER_READY_PREFIX = 'rampart-egress-forwarder listening 127.0.0.1:';

/** Exit status of the forwarder when it could not start (bad arguments, port in use). */
export const FORWARDER_SETUP_FAILED = 125;

export interface ForwarderCommandOptions {
  /** The Python interpreter inside the sandbox (default `python3`, looked up in PATH). */
  readonly python?: string;
  /** Where forwarder.py is (default FORWARDER_IN_SANDBOX; FORWARDER_PATH to run it on the host). */
  readonly script?: string;
  /**
   * Exec mode: the forwarder listens, then execs this command with proxyEnv(port) added to its
   * environment; the command keeps the pid, stdio and exit status. Without it, the forwarder runs
   * in the foreground and prints FORWARDER_READY_PREFIX + port when it listens.
   */
  readonly exec?: readonly string[];
}

/**
 * The argv that starts the forwarder inside the sandbox, listening on 127.0.0.1:`port` (0: any
 * free port, standalone mode reports it) and relaying to the proxy socket at `socketPath` (the path
 * as seen inside the sandbox).
 *
 * @example
 * // bwrap [...] --ro-bind <proxy socket> PROXY_SOCKET_IN_SANDBOX --ro-bind FORWARDER_PATH FORWARDER_IN_SANDBOX -- <argv>
 * forwarderCommand(FORWARDER_PORT, PROXY_SOCKET_IN_SANDBOX, { python: '/usr/bin/python3', exec: ['/usr/bin/python3', '-I', '-B', '/rampart/main.py'] })
 * // → ['/usr/bin/python3', '-I', '/run/rampart-egress/forwarder.py', '--port', '3128', '--socket', '/run/rampart-egress/egress.sock',
 * //    '--', '/usr/bin/python3', '-I', '-B', '/rampart/main.py']
 */
export function forwarderCommand(port: number, socketPath: string, options: ForwarderCommandOptions = {}): string[] {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'egress forwarder port must be an integer from 0 to 65535.' });
  }
  if (!socketPath.startsWith('/') || Buffer.byteLength(socketPath) > 107) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'egress forwarder socket path must be absolute, at most 107 bytes.' });
  }
  if (options.exec !== undefined && options.exec.length === 0) {
    throw new RampartError('RAMPART_CONFIG_INVALID', { detail: 'egress forwarder exec must name a command.' });
  }
  // -I: isolated mode, so PYTHONPATH or PYTHONSTARTUP from the program's environment do not apply.
  const argv = [options.python ?? 'python3', '-I', options.script ?? FORWARDER_IN_SANDBOX, '--port', String(port), '--socket', socketPath];
  return options.exec === undefined ? argv : [...argv, '--', ...options.exec];
}

/**
 * The environment that points HTTP clients at the forwarder: both spellings of the proxy variables
 * (curl reads only lower-case http_proxy), NO_PROXY empty so no host bypasses the proxy, and
 * NODE_USE_ENV_PROXY=1 so Node's fetch and http (22.21+/24.5+) honour them. Exec mode sets exactly
 * these; a test keeps the two in step.
 */
export function proxyEnv(port: number): Readonly<Record<string, string>> {
  const url = `http://127.0.0.1:${port}`;
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: '', no_proxy: '', NODE_USE_ENV_PROXY: '1' };
}
