/**
 * The egress proxy (issue 7, "network only by exception"): the only way out of a sandbox that
 * runs with its own, empty network namespace. It listens on a Unix domain socket on the host,
 * which the backend binds into the sandbox; code inside reaches it through the forwarder
 * (forwarder.py), or directly, which changes nothing: every decision is taken here, outside.
 *
 * It speaks HTTP/1.1 proxy: `CONNECT host:port` (tunnels, for HTTPS) and absolute-form plain HTTP
 * (`GET http://host/path`). For each request: parse the target strictly (target.ts), check it
 * against the allow-list (host pattern + port), resolve the name here (the sandbox has no DNS),
 * refuse when any address is not public (address-policy.ts), then connect to one of exactly those
 * addresses (upstream.ts). Refusals are answered with a status and a short reason phrase
 * (`403 host not allowed`), which clients show; every decision is recorded as an EgressAttempt.
 */
import { chmod, chown } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { isAbsolute } from 'node:path';
import { RampartError } from '../../core/errors.ts';
import { isPublicAddress } from './address-policy.ts';
import { filterHeaders, requestHeaders } from './headers.ts';
import { checkTarget, parseAbsoluteHttpUri, parseAuthority, parseEgressAllowList, type EgressTarget } from './target.ts';
import { dial, DialError, resolveTarget, systemResolver, type Resolver } from './upstream.ts';

/** Why the proxy refused a request that named a host. Stable strings: they end up in audit records. */
export type EgressRefusal = 'host-not-allowed' | 'port-not-allowed' | 'address-not-allowed' | 'dns-failed';

export interface EgressAttempt {
  /** The canonical host the sandbox asked for (host-pattern.ts), never a resolved address. */
  readonly host: string;
  readonly port: number;
  /** True when the request passed every check and the proxy connected (or tried to) upstream. */
  readonly allowed: boolean;
  readonly reason?: EgressRefusal;
  /** `connect`: a CONNECT tunnel (HTTPS); `http`: a plain HTTP request the proxy forwarded. */
  readonly via: 'connect' | 'http';
}

export interface EgressProxyOptions {
  /**
   * Absolute path of the Unix socket to create (at most 107 bytes), in a fresh per-session
   * directory that only the gateway can write (0711 when a sandbox user must traverse it to bind).
   */
  readonly socketPath: string;
  /**
   * Owner of the socket: connecting needs write permission on it, so when the sandbox runs as
   * another user (the bwrap backend's setpriv), chown it to that user. Default: this process.
   */
  readonly socketOwner?: { readonly uid: number; readonly gid: number };
  /** Permission bits of the socket (read/write bits only; default 0o600: its owner only). */
  readonly socketMode?: number;
  /** Host patterns with optional port (target.ts): `api.example.com`, `*.example.com:8443`, `*`. */
  readonly allowHosts: readonly string[];
  /** DNS resolver; default: the system resolver (getaddrinfo). Tests inject names here. */
  readonly resolve?: Resolver;
  /**
   * Which (normalized) addresses may be connected to; default isPublicAddress. A test hook only:
   * it replaces the private-range check entirely.
   */
  readonly allowAddresses?: (ip: string) => boolean;
  /** Name resolution plus TCP connect, ms (default 10 000). */
  readonly connectTimeoutMs?: number;
  /** A client or upstream socket with no traffic for this long is closed, ms (default 60 000). */
  readonly idleTimeoutMs?: number;
  /** Time a client has to send a complete request head, ms (default 10 000). */
  readonly headersTimeoutMs?: number;
  /** Client connections at once; more are answered 503 (default 64). */
  readonly maxConnections?: number;
  /** Request and response head size limit, bytes (default 16 384); larger requests get 431. */
  readonly maxHeaderBytes?: number;
  /**
   * attempts() keeps the first this many allowed attempts (default 1 000) and, under a cap of
   * their own, the first maxRecordedRefused refused ones (default 1 000), so that a flood of
   * allowed requests never pushes a refusal out of the record. The rest are counted
   * (droppedAttempts); onAttempt sees every one.
   */
  readonly maxRecordedAllowed?: number;
  readonly maxRecordedRefused?: number;
  /** Called for every decision. If it throws, the request is refused (fail closed). */
  readonly onAttempt?: (attempt: EgressAttempt) => void;
}

interface EgressDropped {
  readonly allowed: number;
  readonly refused: number;
}

export interface EgressProxy {
  readonly socketPath: string;
  /** The recorded attempts, oldest first (a copy). */
  attempts(): readonly EgressAttempt[];
  /** Attempts that happened but were not kept, past maxRecordedAllowed / maxRecordedRefused. */
  droppedAttempts(): EgressDropped;
  /** Stops listening, closes every open tunnel and upstream connection, removes the socket. */
  close(): Promise<void>;
}

/** Methods forwarded as plain HTTP. TRACE (reflects headers) and WebDAV extensions are not. */
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const REFUSAL_STATUS: Record<EgressRefusal, readonly [number, string]> = {
  'host-not-allowed': [403, 'host not allowed'],
  'port-not-allowed': [403, 'port not allowed'],
  'address-not-allowed': [403, 'address not allowed'],
  'dns-failed': [502, 'dns lookup failed'],
};

/** How a refused request is answered: status and reason phrase. */
interface Refusal {
  readonly status: number;
  readonly text: string;
}

type Decision = { readonly ok: true; readonly addresses: readonly string[]; readonly deadline: number } | ({ readonly ok: false } & Refusal);

function invalid(detail: string): RampartError {
  return new RampartError('RAMPART_CONFIG_INVALID', { detail: `egress proxy: ${detail}` });
}

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(`${name} must be an integer from ${min} to ${max}.`);
  return value;
}

function rawResponse(status: number, text: string): string {
  const body = `rampart egress: ${text}\n`;
  return `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** Answers on a socket the HTTP parser no longer owns (CONNECT, upgrade, parse errors) and closes it. */
function refuseSocket(socket: Socket, status: number, text: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(status, text), () => socket.destroy());
}

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `rampart egress: ${text}\n`;
  res.writeHead(status, text, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/** reply(), for event handlers: a response that cannot be written is torn down instead. */
function replySafely(res: ServerResponse, status: number, text: string): void {
  try {
    reply(res, status, text);
  } catch {
    res.destroy();
  }
}

/** RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ); a control byte makes the answer invalid. */
const BAD_REASON_BYTE = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Passes an upstream answer on to the client. An invalid status line (a code outside 100-999, the
 * three-digit codes of RFC 9110 §15 that Node can write; a control byte in the reason phrase) is
 * answered 502 (RFC 9110 §15.6.3: an invalid response from the upstream). The reason phrase itself
 * is never passed on: it is the upstream's free text, so the client gets Node's standard phrase for
 * the code. Throws when the head cannot be written.
 */
function passResponse(upRes: IncomingMessage, res: ServerResponse): void {
  const status = upRes.statusCode;
  if (status === undefined || !Number.isInteger(status) || status < 100 || status > 999 || BAD_REASON_BYTE.test(upRes.statusMessage ?? '')) {
    upRes.destroy();
    reply(res, 502, 'bad upstream status');
    return;
  }
  res.writeHead(status, filterHeaders(upRes.rawHeaders));
  upRes.pipe(res);
}

/**
 * Starts the proxy on `socketPath`. Options are checked here, once; a bad allow-list entry or
 * limit throws RAMPART_CONFIG_INVALID, a socket that cannot be created RAMPART_INTERNAL.
 *
 * @example
 * const proxy = await startEgressProxy({ socketPath: `${dir}/egress.sock`, allowHosts: ['pypi.org', '*.pythonhosted.org'] });
 * // ... run the sandbox ...
 * await proxy.close();
 * const network = proxy.attempts().map(({ host, port, allowed }) => ({ host, port, allowed }));
 */
export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const socketPath = opts.socketPath;
  if (typeof socketPath !== 'string' || !isAbsolute(socketPath) || Buffer.byteLength(socketPath) > 107) {
    throw invalid('socketPath must be an absolute path of at most 107 bytes.');
  }
  const socketMode = intOption('socketMode', opts.socketMode, 0o600, 0, 0o666);
  if ((socketMode & 0o111) !== 0) throw invalid('socketMode may only have read and write bits.');
  const owner = opts.socketOwner;
  if (owner !== undefined) {
    intOption('socketOwner.uid', owner.uid, 0, 0, 0xfffffffe);
    intOption('socketOwner.gid', owner.gid, 0, 0, 0xfffffffe);
  }
  const rules = parseEgressAllowList(opts.allowHosts);
  const resolve = opts.resolve ?? systemResolver;
  const allowAddress = opts.allowAddresses ?? isPublicAddress;
  const connectTimeoutMs = intOption('connectTimeoutMs', opts.connectTimeoutMs, 10_000, 1, 300_000);
  const idleTimeoutMs = intOption('idleTimeoutMs', opts.idleTimeoutMs, 60_000, 1, 3_600_000);
  const headersTimeoutMs = intOption('headersTimeoutMs', opts.headersTimeoutMs, 10_000, 1, 300_000);
  const maxConnections = intOption('maxConnections', opts.maxConnections, 64, 1, 65_536);
  const maxHeaderBytes = intOption('maxHeaderBytes', opts.maxHeaderBytes, 16_384, 1_024, 1_048_576);
  const maxAllowed = intOption('maxRecordedAllowed', opts.maxRecordedAllowed, 1_000, 0, 1_000_000);
  const maxRefused = intOption('maxRecordedRefused', opts.maxRecordedRefused, 1_000, 0, 1_000_000);
  const onAttempt = opts.onAttempt;

  const log: EgressAttempt[] = [];
  const kept = { allowed: 0, refused: 0 };
  const dropped = { allowed: 0, refused: 0 };
  /** Records the decision; false when the observer threw, which refuses the request. */
  const record = (attempt: EgressAttempt): boolean => {
    const frozen = Object.freeze({ ...attempt });
    const kind = frozen.allowed ? 'allowed' : 'refused';
    if (kept[kind] < (frozen.allowed ? maxAllowed : maxRefused)) {
      log.push(frozen);
      kept[kind]++;
    } else {
      dropped[kind]++;
    }
    try {
      onAttempt?.(frozen);
      return true;
    } catch {
      return false;
    }
  };

  const refuse = (target: EgressTarget, via: EgressAttempt['via'], reason: EgressRefusal, timedOut = false): Decision => {
    record({ host: target.host, port: target.port, allowed: false, reason, via });
    const [status, text] = timedOut ? [504, 'upstream timeout'] : REFUSAL_STATUS[reason];
    return { ok: false, status, text };
  };

  const decide = async (target: EgressTarget, via: EgressAttempt['via']): Promise<Decision> => {
    const listed = checkTarget(rules, target);
    if (listed !== null) return refuse(target, via, listed);
    const deadline = Date.now() + connectTimeoutMs;
    const r = await resolveTarget(target, resolve, allowAddress, deadline);
    if (!r.ok) return r.reason === 'timeout' ? refuse(target, via, 'dns-failed', true) : refuse(target, via, r.reason);
    if (!record({ host: target.host, port: target.port, allowed: true, via })) return { ok: false, status: 500, text: 'internal error' };
    return { ok: true, addresses: r.addresses, deadline };
  };

  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();
  /** Over-cap connections: answered 503 on accept; anything the parser still emits for them is dropped. */
  const rejected = new WeakSet<Socket>();

  const connectUpstream = async (addresses: readonly string[], port: number, deadline: number): Promise<Socket | Refusal> => {
    try {
      const upstream = await dial(addresses, port, deadline);
      upstreams.add(upstream);
      upstream.once('close', () => upstreams.delete(upstream));
      upstream.on('error', () => upstream.destroy());
      upstream.setTimeout(idleTimeoutMs, () => upstream.destroy());
      return upstream;
    } catch (e) {
      const timedOut = e instanceof DialError && e.timedOut;
      return { status: timedOut ? 504 : 502, text: timedOut ? 'upstream timeout' : 'upstream connect failed' };
    }
  };

  const tunnel = async (req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> => {
    socket.pause();
    if (rejected.has(socket)) return void socket.destroy();
    const target = parseAuthority(req.url ?? '', null);
    if (target === null) return refuseSocket(socket, 400, 'bad request target');
    const decision = await decide(target, 'connect');
    if (!decision.ok) return refuseSocket(socket, decision.status, decision.text);
    const upstream = await connectUpstream(decision.addresses, target.port, decision.deadline);
    if (!(upstream instanceof Socket)) return refuseSocket(socket, upstream.status, upstream.text);
    if (socket.destroyed) return void upstream.destroy();
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    const kill = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.setTimeout(idleTimeoutMs, kill);
    socket.on('error', kill);
    // A clean end is passed on as a half-close (pipe); an abrupt close tears the other side down.
    socket.once('close', (hadError) => (hadError ? upstream.destroy() : upstream.end()));
    upstream.once('close', (hadError) => (hadError ? socket.destroy() : socket.end()));
    socket.pipe(upstream);
    upstream.pipe(socket);
  };

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (rejected.has(req.socket)) return void req.socket.destroy();
    if (!HTTP_METHODS.has(req.method ?? '')) return reply(res, 405, 'method not allowed');
    const parsed = parseAbsoluteHttpUri(req.url ?? '');
    if (parsed === null) return reply(res, 400, 'bad request target');
    const headers = requestHeaders(req.rawHeaders, parsed.authority);
    if (headers === null) return reply(res, 400, 'unsupported transfer-encoding');
    const decision = await decide(parsed.target, 'http');
    if (!decision.ok) return reply(res, decision.status, decision.text);
    const upstream = await connectUpstream(decision.addresses, parsed.target.port, decision.deadline);
    if (!(upstream instanceof Socket)) return reply(res, upstream.status, upstream.text);
    if (res.destroyed) return void upstream.destroy();
    // No agent: the request goes on exactly this socket, never through a proxy from the environment.
    const upReq = httpRequest({ createConnection: () => upstream, method: req.method, path: parsed.path, headers, setHost: false, maxHeaderSize: maxHeaderBytes });
    upReq.on('response', (upRes) => {
      upRes.on('error', () => res.destroy());
      // An event handler: whatever the upstream sent, nothing may throw out of it (that would end the process).
      try {
        passResponse(upRes, res);
      } catch {
        upRes.destroy();
        replySafely(res, 502, 'bad upstream response');
      }
    });
    upReq.on('error', () => replySafely(res, 502, 'upstream error'));
    req.on('error', () => upReq.destroy());
    res.once('close', () => upstream.destroy());
    req.pipe(upReq);
  };

  const server = createServer({
    maxHeaderSize: maxHeaderBytes,
    headersTimeout: headersTimeoutMs,
    // Bodies may be long uploads: the idle timeout bounds them, the sandbox's own timeout the rest.
    requestTimeout: 0,
    connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
    insecureHTTPParser: false,
  });
  server.timeout = idleTimeoutMs;
  // Runs before the HTTP parser is attached, so the cap holds for tunnels as well as requests.
  server.prependListener('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    if (clients.size >= maxConnections) {
      rejected.add(socket);
      refuseSocket(socket, 503, 'too many connections');
      return;
    }
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    forward(req, res).catch(() => res.destroy());
  });
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    tunnel(req, socket, head).catch(() => socket.destroy());
  });
  // Plain-HTTP protocol upgrades (WebSocket over ws://, h2c) are not proxied; wss:// works via CONNECT.
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) => refuseSocket(socket, 501, 'upgrade not supported'));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (rejected.has(socket)) return void socket.destroy();
    if (err.code === 'HPE_HEADER_OVERFLOW') return refuseSocket(socket, 431, 'request header too large');
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return refuseSocket(socket, 408, 'request timeout');
    refuseSocket(socket, 400, 'bad request');
  });

  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen({ path: socketPath, exclusive: true }, () => {
        server.off('error', fail);
        done();
      });
    });
    // Until here the socket has the umask's bits (no write, so no connect, for others under 022).
    if (owner !== undefined) await chown(socketPath, owner.uid, owner.gid);
    await chmod(socketPath, socketMode);
  } catch (e) {
    server.close();
    throw new RampartError('RAMPART_INTERNAL', { cause: e });
  }
  // Accept errors (EMFILE) are transient and affect one connection; they must not crash the host.
  server.on('error', () => {});

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    attempts: () => log.slice(),
    droppedAttempts: () => ({ ...dropped }),
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        for (const s of clients) s.destroy();
        for (const s of upstreams) s.destroy();
      });
      return closing;
    },
  };
}
