/**
 * The data plane on more than one core (`server.threads`). The main thread serves everything, as
 * with one thread; each extra thread (data-plane-thread.ts) listens on the same port
 * (SO_REUSEPORT: the kernel spreads connections over the listeners), serves /v1 itself and
 * forwards every other route to the main thread over a private Unix socket, with the client's
 * address attached. The threads share the store (the embedded database's worker serves each on a
 * port of its own; PostgreSQL by its own pool) and the counters (memory counters live in shared
 * memory; Redis as usual). After an admin change the main thread tells the others to drop their
 * caches. Their log lines and metrics are written and served by the main thread.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastChannel, Worker, type MessagePort } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { pino, type Logger, type DestinationStream } from 'pino';
import { RampartError, openAiErrorBody } from '../core/errors.ts';
import type { RampartConfig } from '../config/schema.ts';
import { sendJson } from '../gateway/http-io.ts';
import type { Metrics } from '../monitor/metrics.ts';
import type { SharedBucketMemory, SharedBuckets } from '../store/counters/buckets.ts';
import { PgliteClient } from '../store/pglite-client.ts';
import type { Store } from '../store/types.ts';
import { FORWARDED_PEER } from './client-ip.ts';
import { ConnectionShares } from './connection-shares.ts';
import { serverTimeouts } from './http-server.ts';

type ThreadMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** The header a data-plane thread puts the client's address in; believed only on the private socket. */
export const PEER_HEADER = 'x-rampart-thread-peer';

export function threadCount(config: RampartConfig): number {
  return config.server.threads === 'auto' ? availableParallelism() : config.server.threads;
}

/** What a data-plane thread starts from. */
export interface ThreadData {
  config: RampartConfig;
  index: number;
  /** The port the main thread listens on (resolved when the config says 0). */
  port: number;
  logLevel: string;
  chainId: string;
  /** The embedded database's port for this thread; null with PostgreSQL (the thread opens a pool). */
  storePort: MessagePort | null;
  /** Memory counters' shared table; null with Redis. */
  counters: SharedBucketMemory | null;
  forwardSocket: string;
  channel: string;
  /** Every data-plane thread's count of client connections (connection-shares.ts); this thread's slot is `index`. */
  shares: SharedArrayBuffer;
}

/** Main thread → data-plane thread. */
export type ToThread = { type: 'metrics'; id: number } | { type: 'close' };
/** Data-plane thread → main thread. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'log'; text: string }
  | { type: 'metrics'; id: number; json: ThreadMetrics }
  | { type: 'closed' };

const THREAD_URL = new URL('./data-plane-thread.ts', import.meta.url);
/** Longest a thread may take to start (ONNX models load here) or to close. */
const START_TIMEOUT_MS = 120_000;
const RESPAWN_DELAY_MS = 1_000;

export interface DataPlaneThreadsOptions {
  config: RampartConfig;
  count: number;
  port: number;
  chainId: string;
  store: Store;
  sharedCounters: SharedBuckets | null;
  /** The connection counts of every data-plane thread, the main thread's in slot 0 (connection-shares.ts). */
  shares: SharedArrayBuffer;
  logger: Logger;
  metrics: Metrics;
  /** The main server: forwarded requests are handed to its routes. */
  server: Server;
}

interface Running {
  worker: Worker;
  index: number;
  closing: boolean;
  /** Listening and serving (its 'ready' arrived). */
  ready: boolean;
}

/**
 * @example
 * const threads = await DataPlaneThreads.start({ config, count: 2, port, ... });
 * adminDeps.changed = () => threads.changed();
 * await threads.close();
 */
export class DataPlaneThreads {
  readonly #o: DataPlaneThreadsOptions;
  readonly #forwardDir: string;
  readonly #forwardServer: Server;
  readonly #channel: BroadcastChannel;
  readonly #channelName = `rampart-${randomBytes(8).toString('hex')}`;
  readonly #running = new Map<number, Running>();
  readonly #metricsWaiting = new Map<number, (json: ThreadMetrics) => void>();
  #nextMetrics = 1;
  #closing = false;

  private constructor(o: DataPlaneThreadsOptions, forwardDir: string, forwardServer: Server) {
    this.#o = o;
    this.#forwardDir = forwardDir;
    this.#forwardServer = forwardServer;
    this.#channel = new BroadcastChannel(this.#channelName);
    this.#channel.unref();
  }

  static async start(o: DataPlaneThreadsOptions): Promise<DataPlaneThreads> {
    // The private socket lives in a directory only this user can enter (mkdtemp makes it 0700): the
    // peer header it believes cannot come from another user.
    const dir = await mkdtemp(join(tmpdir(), 'rampart-threads-'));
    const forwardServer = createServer(serverTimeouts(o.config.server.requestTimeoutMs), (req, res) => {
      const peer = req.headers[PEER_HEADER];
      delete req.headers[PEER_HEADER];
      (req as IncomingMessage & { [FORWARDED_PEER]?: string })[FORWARDED_PEER] = typeof peer === 'string' ? peer : '';
      o.server.emit('request', req, res);
    });
    const threads = new DataPlaneThreads(o, dir, forwardServer);
    try {
      await new Promise<void>((resolve, reject) => {
        forwardServer.once('error', reject);
        forwardServer.listen(join(dir, 'main.sock'), () => resolve());
      });
      await Promise.all(Array.from({ length: o.count - 1 }, (_, i) => threads.#spawn(i + 1)));
    } catch (e) {
      await threads.close();
      throw e;
    }
    return threads;
  }

  /** An admin change was made: every thread drops its caches of keys, agents, pins, models and elevations. */
  changed(): void {
    this.#channel.postMessage('changed');
  }

  /** The indexes of the threads serving now (1 … count − 1): started, and not stopped since. */
  get running(): number[] {
    return [...this.#running.values()].filter((r) => r.ready).map((r) => r.index).sort((a, b) => a - b);
  }

  /**
   * Stops thread `index` at once, without draining, as a crash would; it is started again like a
   * thread that failed. For drills and tests of what a crash costs.
   */
  async terminate(index: number): Promise<void> {
    const r = this.#running.get(index);
    if (!r) throw new RangeError(`no data-plane thread ${index} is running`);
    await r.worker.terminate();
  }

  /** Every thread's metrics together, as Prometheus text. */
  async metricsText(): Promise<string> {
    const mine = await this.#o.metrics.registry.getMetricsAsJSON();
    const theirs = await Promise.all([...this.#running.values()].map((r) => this.#askMetrics(r)));
    return AggregatorRegistry.aggregate([mine, ...theirs.filter((m) => m !== null)]).metrics();
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(
      [...this.#running.values()].map(async (r) => {
        r.closing = true;
        const exited = new Promise<void>((resolve) => r.worker.once('exit', () => resolve()));
        r.worker.postMessage({ type: 'close' } satisfies ToThread);
        const timer = setTimeout(() => void r.worker.terminate(), this.#o.config.server.shutdownGraceMs + 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.#channel.close();
    await new Promise<void>((resolve) => {
      this.#forwardServer.close(() => resolve());
      this.#forwardServer.closeAllConnections();
    });
    await rm(this.#forwardDir, { recursive: true, force: true });
  }

  #askMetrics(r: Running): Promise<ThreadMetrics | null> {
    const id = this.#nextMetrics++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#metricsWaiting.delete(id);
        resolve(null); // a busy or dying thread must not hold up the scrape
      }, 2_000);
      this.#metricsWaiting.set(id, (json) => {
        clearTimeout(timer);
        resolve(json);
      });
      r.worker.postMessage({ type: 'metrics', id } satisfies ToThread);
    });
  }

  async #spawn(index: number): Promise<void> {
    const { config, store, sharedCounters, logger } = this.#o;
    const storePort = store.sql instanceof PgliteClient ? await store.sql.attach() : null;
    const data: ThreadData = {
      config,
      index,
      port: this.#o.port,
      logLevel: logger.level,
      chainId: `${this.#o.chainId}.t${index}`,
      storePort,
      counters: sharedCounters?.memory ?? null,
      forwardSocket: join(this.#forwardDir, 'main.sock'),
      channel: this.#channelName,
      shares: this.#o.shares,
    };
    const worker = new Worker(THREAD_URL, { workerData: data, transferList: storePort ? [storePort] : [] });
    // Read now: once the worker has exited, worker.threadId is -1.
    const workerThreadId = worker.threadId;
    const running: Running = { worker, index, closing: false, ready: false };
    const sink = logSink(logger);
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RampartError('RAMPART_INTERNAL', { detail: `data-plane thread ${index} did not start within ${START_TIMEOUT_MS} ms` })), START_TIMEOUT_MS);
      worker.on('message', (m: FromThread) => {
        if (m.type === 'log') sink.write(m.text);
        else if (m.type === 'metrics') this.#metricsWaiting.get(m.id)?.(m.json);
        // Drained and flushed: handles a library left open must not keep the thread alive.
        else if (m.type === 'closed') void worker.terminate();
        else if (m.type === 'ready' || m.type === 'failed') {
          clearTimeout(timer);
          if (m.type === 'ready') {
            running.ready = true;
            resolve();
          }
          else reject(new Error(`data-plane thread ${index} could not start: ${m.message}`));
        }
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`data-plane thread ${index} exited with code ${code} while starting`));
      });
    });
    worker.on('error', (err) => logger.error({ err, thread: index }, 'data-plane thread failed'));
    this.#running.set(index, running);
    worker.once('exit', (code) => {
      this.#running.delete(index);
      // A thread stopped inside a counter update must not leave the lock held.
      if (sharedCounters?.releaseIfHeldBy(workerThreadId)) logger.warn({ thread: index }, 'freed the counters lock a stopped thread held');
      // Its connections went with it; their close events never ran there.
      ConnectionShares.forget(this.#o.shares, index);
      if (running.closing || this.#closing) return;
      logger.error({ thread: index, code }, 'data-plane thread stopped; starting it again');
      setTimeout(() => {
        if (!this.#closing) this.#spawn(index).catch((err: unknown) => logger.error({ err, thread: index }, 'data-plane thread could not restart'));
      }, RESPAWN_DELAY_MS).unref();
    });
    await started;
  }
}

/** Where the main thread writes the log blocks other threads send: its own log destination. */
function logSink(logger: Logger): { write(text: string): void } {
  const stream = (logger as unknown as Record<symbol, DestinationStream | undefined>)[pino.symbols.streamSym];
  return { write: (text) => stream?.write(text) };
}

/**
 * A data-plane thread's path to the main thread for every route it does not serve: the request
 * and its answer stream through a keep-alive connection on the private socket.
 */
export function forwarder(socketPath: string, logger: Logger): { forward(req: IncomingMessage, res: ServerResponse): void; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  return {
    forward(req, res) {
      const headers = { ...endToEnd(req.headers), [PEER_HEADER]: req.socket.remoteAddress ?? '' };
      const up = request({ socketPath, agent, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers, 'transfer-encoding'));
        answer.pipe(res);
      });
      up.on('error', (err) => {
        logger.warn({ err }, 'could not forward a request to the main thread');
        if (!res.headersSent) {
          const e = new RampartError('RAMPART_NOT_READY', { detail: 'The main thread did not answer; try again.' });
          sendJson(res, 503, openAiErrorBody(e), { 'retry-after': '1' });
        } else res.destroy();
      });
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
      });
      req.pipe(up);
    },
    close: () => agent.destroy(),
  };
}

/** Headers without the hop-by-hop ones (and `also`), which belong to one connection. */
function endToEnd(headers: IncomingMessage['headers'], ...also: string[]): IncomingMessage['headers'] {
  const out = { ...headers };
  for (const h of ['connection', 'keep-alive', ...also]) delete out[h];
  return out;
}

/**
 * A log destination that sends the thread's lines to the main thread in blocks (at 4 KiB, or
 * every 250 ms), which writes them where its own lines go: the threads' lines never interleave
 * mid-line, and a line costs no message of its own.
 */
export function threadLogDestination(post: (text: string) => void): DestinationStream & { flush(): void } {
  let buf = '';
  const flush = () => {
    if (buf.length === 0) return;
    const text = buf;
    buf = '';
    post(text);
  };
  setInterval(flush, 250).unref();
  return {
    write(line: string) {
      buf += line;
      if (buf.length >= 4096) flush();
    },
    flush,
  };
}
