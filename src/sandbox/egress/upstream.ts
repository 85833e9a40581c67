/**
 * The host side of one egress request: resolve the name once, check every address, and connect to
 * exactly one of the checked addresses. The socket is opened to an IP literal, so nothing resolves
 * the name a second time between the check and the connection (DNS rebinding), and no proxy from
 * the host's environment is ever used (no chaining).
 */
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { normalizeAddress } from './address-policy.ts';
import type { EgressTarget } from './target.ts';

/** Resolves a host name to IP addresses (injectable; the default is the system resolver). */
export type Resolver = (host: string) => Promise<readonly string[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export type Resolution =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly reason: 'address-not-allowed' | 'dns-failed' | 'timeout' };

/** Upper bound on the addresses one name may resolve to; more is treated as a resolver failure. */
const MAX_ADDRESSES = 64;

const TIMED_OUT = Symbol('timed out');

/** TIMED_OUT after `ms`; the timer is cleared when `work` settles first. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), TIMED_OUT);
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}

/**
 * The addresses to connect to, all of them accepted by `allowAddress`, or why there are none.
 * One refused address refuses the whole name: a name that resolves to a public and a private
 * address is how rebinding attacks start.
 */
export async function resolveTarget(target: EgressTarget, resolve: Resolver, allowAddress: (ip: string) => boolean, deadline: number): Promise<Resolution> {
  let raw: readonly string[];
  if (target.literal) {
    raw = [target.host];
  } else {
    try {
      const answer = await withDeadline(Promise.resolve(resolve(target.host)), deadline - Date.now());
      if (answer === TIMED_OUT) return { ok: false, reason: 'timeout' };
      raw = answer;
    } catch {
      return { ok: false, reason: 'dns-failed' };
    }
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ADDRESSES) return { ok: false, reason: 'dns-failed' };
  }
  const addresses: string[] = [];
  for (const ip of raw) {
    const addr = typeof ip === 'string' ? normalizeAddress(ip) : null;
    if (addr === null || !allowAddress(addr)) return { ok: false, reason: 'address-not-allowed' };
    if (!addresses.includes(addr)) addresses.push(addr);
  }
  return { ok: true, addresses };
}

export class DialError extends Error {
  readonly timedOut: boolean;
  constructor(timedOut: boolean, cause?: unknown) {
    super(timedOut ? 'upstream connect timed out' : 'upstream connect failed', { cause });
    this.name = 'DialError';
    this.timedOut = timedOut;
  }
}

function dialOne(address: string, port: number, ms: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, family: isIP(address) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DialError(true));
    }, Math.max(0, ms));
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DialError(false, e));
    });
  });
}

/**
 * Connects to the checked addresses in the resolver's order until one answers, all within the
 * deadline. Throws DialError (timedOut when the deadline passed).
 */
export async function dial(addresses: readonly string[], port: number, deadline: number): Promise<Socket> {
  let last: DialError = new DialError(false);
  for (const address of addresses) {
    const left = deadline - Date.now();
    if (left <= 0) throw new DialError(true);
    try {
      return await dialOne(address, port, left);
    } catch (e) {
      last = e instanceof DialError ? e : new DialError(false, e);
      if (last.timedOut) throw last;
    }
  }
  throw last;
}
