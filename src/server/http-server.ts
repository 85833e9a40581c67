/**
 * The HTTP surface: registers the data plane (/v1), the admin API (/admin/v1), health, readiness
 * and metrics on one node:http server. Unknown routes and methods get coded errors in the plane's
 * format; nothing ever answers with a stack trace.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { RampartError, openAiErrorBody, problemBody } from '../core/errors.ts';
import type { Logger } from 'pino';
import type { DataPlane } from '../gateway/data-plane.ts';
import { adminHandler, type AdminDeps, type AdminRoute } from '../admin/admin-api.ts';
import type { Metrics } from '../monitor/metrics.ts';
import { sendJson } from '../gateway/http-io.ts';
import type { ConnectionShares } from './connection-shares.ts';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /**
   * Reported, but not a reason to take the instance out of rotation: the code sandbox being
   * unavailable must not stop the gateway from serving models (its API refuses on its own).
   */
  optional?: boolean;
}

export interface HttpServerDeps {
  dataPlane: DataPlane;
  admin: AdminDeps;
  adminRoutes: readonly AdminRoute[];
  metrics: Metrics;
  metricsPath: string | null;
  /** metrics.token: the bearer token the metrics endpoint requires; undefined: open. */
  metricsToken?: string | undefined;
  readiness: readonly ReadinessCheck[];
  logger: Logger;
  isShuttingDown(): boolean;
  requestTimeoutMs: number;
  /** With data-plane threads: keeps this listener's share of the connections even (connection-shares.ts). */
  shares?: ConnectionShares;
  /** The metrics text; default: this thread's registry (with data-plane threads: all threads' together). */
  metricsText?: (() => Promise<string>) | undefined;
}

/** A data-plane thread's server (server/threads.ts): the /v1 routes here, everything else forwarded to the main thread. */
export interface DataPlaneServerDeps {
  dataPlane: DataPlane;
  forward(req: IncomingMessage, res: ServerResponse): void;
  logger: Logger;
  isShuttingDown(): boolean;
  requestTimeoutMs: number;
  /** With data-plane threads: keeps this listener's share of the connections even (connection-shares.ts). */
  shares?: ConnectionShares;
}

function bearerOf(req: IncomingMessage): string {
  const h = req.headers.authorization;
  return typeof h === 'string' && /^bearer /i.test(h) ? h.slice(7).trim() : '';
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>, query: URLSearchParams) => Promise<void> | void;

function errorFor(req: IncomingMessage, res: ServerResponse, err: RampartError): void {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path.startsWith('/admin/') || path.startsWith('/sandbox/')) sendJson(res, err.status, problemBody(err, path), err.headers, 'application/problem+json');
  else sendJson(res, err.status, openAiErrorBody(err), err.headers);
}

function routerFor(logger: Logger, fallback: (req: IncomingMessage, res: ServerResponse, router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>) => void) {
  const router = FindMyWay({
    ignoreTrailingSlash: true,
    caseSensitive: true,
    maxParamLength: 256,
    defaultRoute: (req, res) => fallback(req, res, router),
  });
  // `query: false`: the handler never reads the query string (the data plane's), so no
  // URLSearchParams is built for it per request; it gets an empty one.
  const on = (method: HTTPMethod, path: string, handler: Handler, opts: { query: boolean } = { query: true }) => {
    router.on(method, path, (req, res, params, _store, searchParams) => {
      const query = opts.query ? new URLSearchParams(searchParams as Record<string, string>) : new URLSearchParams();
      Promise.resolve(handler(req, res, params, query)).catch((e: unknown) => {
        logger.error({ err: e }, 'unhandled route error');
        if (!res.headersSent) errorFor(req, res, new RampartError('RAMPART_INTERNAL'));
        else res.destroy();
      });
    });
  };
  return { router, on };
}

function dataPlaneRoutes(on: (method: HTTPMethod, path: string, handler: Handler, opts?: { query: boolean }) => void, dp: DataPlane): void {
  const noQuery = { query: false };
  on('POST', '/v1/chat/completions', (req, res) => dp.handleOperation('chat.completions', req, res), noQuery);
  on('POST', '/v1/embeddings', (req, res) => dp.handleOperation('embeddings', req, res), noQuery);
  on('POST', '/v1/responses', (req, res) => dp.handleOperation('responses', req, res), noQuery);
  on('GET', '/v1/models', (req, res) => dp.handleModels(req, res), noQuery);
  on('POST', '/v1/guard/analyze', (req, res) => dp.handleAnalyze(req, res), noQuery);
}

/** The listeners' timeouts. Node refuses a headersTimeout above requestTimeout (ERR_OUT_OF_RANGE), and the schema allows a requestTimeoutMs below 30 s. */
export function serverTimeouts(requestTimeoutMs: number): ServerOptions {
  const headersTimeout = Math.min(30_000, requestTimeoutMs);
  // Node looks for connections past these times every 30 s by default: a slow-headers client
  // would hold its connection up to 30 s longer than the limit. A quarter of it instead.
  return { requestTimeout: requestTimeoutMs, headersTimeout, connectionsCheckingInterval: Math.max(250, Math.floor(headersTimeout / 4)), keepAliveTimeout: 65_000 };
}

/** Stops accepting, lets in-flight requests finish for `graceMs`, then cuts what is left. */
export function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

const bare = (status: string) => `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`;
const BAD_REQUEST = bare('400 Bad Request');
const CLIENT_ERROR_RESPONSES = new Map<string | undefined, string>([
  ['HPE_HEADER_OVERFLOW', bare('431 Request Header Fields Too Large')],
  ['HPE_CHUNK_EXTENSIONS_OVERFLOW', bare('413 Payload Too Large')],
  ['ERR_HTTP_REQUEST_TIMEOUT', bare('408 Request Timeout')],
]);

function serverOn(router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>, deps: { isShuttingDown(): boolean; requestTimeoutMs: number; shares?: ConnectionShares }): Server {
  const { shares } = deps;
  const server = createServer(serverTimeouts(deps.requestTimeoutMs), (req, res) => {
    if (deps.isShuttingDown() || shares?.shouldLetGo(req, res)) res.setHeader('connection', 'close');
    router.lookup(req, res);
  });
  shares?.track(server);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // Malformed or too slow HTTP: a bare status line, never a stack trace, and only while nothing
    // of a response went out on this connection (a status line in the middle of one would corrupt
    // what the client reads). The statuses are Node's own defaults, which a listener replaces.
    if (socket.writable && socket.bytesWritten === 0 && err.code !== 'ECONNRESET') socket.end(CLIENT_ERROR_RESPONSES.get(err.code) ?? BAD_REQUEST);
    else socket.destroy();
  });
  return server;
}

export function createDataPlaneServer(deps: DataPlaneServerDeps): Server {
  const { router, on } = routerFor(deps.logger, (req, res) => deps.forward(req, res));
  dataPlaneRoutes(on, deps.dataPlane);
  return serverOn(router, deps);
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const { router, on } = routerFor(deps.logger, (req, res, r) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const allowed = (['GET', 'POST', 'DELETE', 'PUT', 'PATCH'] as HTTPMethod[]).filter((m) => r.find(m, path) !== null);
    if (allowed.length > 0) {
      errorFor(req, res, new RampartError('RAMPART_METHOD_NOT_ALLOWED', { headers: { allow: allowed.join(', ') } }));
    } else {
      errorFor(req, res, new RampartError('RAMPART_ROUTE_NOT_FOUND'));
    }
  });
  dataPlaneRoutes(on, deps.dataPlane);

  for (const route of deps.adminRoutes) on(route.method, route.path, adminHandler(deps.admin, route));

  on('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  on('GET', '/readyz', async (_req, res) => {
    if (deps.isShuttingDown()) return sendJson(res, 503, { status: 'shutting-down' });
    const results = await Promise.all(
      deps.readiness.map(async (c) => {
        try {
          await withTimeout(c.check(), 2000);
          return [c.name, 'ok', c.optional === true] as const;
        } catch {
          return [c.name, 'unavailable', c.optional === true] as const;
        }
      }),
    );
    const ok = results.every(([, s, optional]) => s === 'ok' || optional);
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not-ready', checks: Object.fromEntries(results.map(([name, status]) => [name, status])) });
  });
  if (deps.metricsPath) {
    const registry = deps.metrics.registry;
    const token = deps.metricsToken ? hash('sha256', deps.metricsToken, 'buffer') : null;
    on('GET', deps.metricsPath, async (req, res) => {
      // Compared as digests, in constant time: the length of the token does not show either.
      if (token && !timingSafeEqual(hash('sha256', bearerOf(req), 'buffer'), token)) {
        sendJson(res, 401, { error: { message: 'The metrics endpoint needs its bearer token (metrics.token).', type: 'authentication_error', code: 'RAMPART_AUTH_MISSING' } }, { 'www-authenticate': 'Bearer' });
        return;
      }
      const text = deps.metricsText ? await deps.metricsText() : await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  }
  return serverOn(router, deps);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
