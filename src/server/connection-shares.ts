/**
 * Keeps the data-plane threads' shares of client connections even (server.threads > 1).
 *
 * The kernel hands each new connection on the shared port (SO_REUSEPORT) to one listening thread
 * by a hash of the connection's addresses, so 32 connections split 16/16 only on average: 21/11
 * is common. Under load the thread with more connections is the one that decides everybody's
 * latency, while the other idles. A thread that holds more than its share answers a request on
 * one of its connections with `connection: close`; the client opens a new connection (plain
 * HTTP/1.1 behaviour, as during a graceful shutdown), which the kernel places again.
 *
 * What counts is a connection that has served a request: one that never sends one (idle, or a
 * slow-headers attack) cannot push real clients to other threads, and a burst of new
 * connections is not judged before every thread has accepted its part. A connection is let go
 * only on a later request, and only while at least two threads listen: a thread that is starting
 * or restarting does not make the others shed everything. Each thread keeps its count and
 * whether it listens in its own slots of a shared array.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Above the mean by more than this share of it (and by at least one) is more than a share. */
const SLACK_SHARE = 1 / 8;

export class ConnectionShares {
  /** [0, n): connections per thread; [n, 2n): 1 while that thread listens. */
  readonly #slots: Int32Array;
  readonly #n: number;
  readonly #slot: number;
  /** Sockets counted in this thread's slot, with the requests they served. */
  readonly #served = new WeakMap<Socket, number>();
  /** Sockets this listener accepted (a request forwarded to this thread arrives on another server's). */
  readonly #accepted = new WeakSet<Socket>();

  /** The shared array for `threads` data-plane threads (the main thread is one of them). */
  static memory(threads: number): SharedArrayBuffer {
    if (!Number.isInteger(threads) || threads < 2) throw new RangeError('connection shares need at least two threads');
    return new SharedArrayBuffer(2 * threads * Int32Array.BYTES_PER_ELEMENT);
  }

  /** A thread stopped: its connections went with it (their close events never ran there). */
  static forget(memory: SharedArrayBuffer, slot: number): void {
    const slots = new Int32Array(memory);
    Atomics.store(slots, slot, 0);
    Atomics.store(slots, slots.length / 2 + slot, 0);
  }

  /**
   * @example
   * const shares = new ConnectionShares(memory, 0); // the main thread; thread n uses slot n
   * shares.track(server);
   * if (shares.shouldLetGo(req, res)) res.setHeader('connection', 'close');
   */
  constructor(memory: SharedArrayBuffer, slot: number) {
    this.#slots = new Int32Array(memory);
    this.#n = this.#slots.length / 2;
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.#n) throw new RangeError(`slot ${slot} is outside 0..${this.#n - 1}`);
    this.#slot = slot;
  }

  /** Marks this thread as listening while the server does, and forgets its connections as they close. */
  track(server: Server): void {
    const live = this.#n + this.#slot;
    if (server.listening) Atomics.store(this.#slots, live, 1);
    server.on('listening', () => Atomics.store(this.#slots, live, 1));
    server.on('close', () => Atomics.store(this.#slots, live, 0));
    server.on('connection', (socket: Socket) => {
      this.#accepted.add(socket);
      socket.once('close', () => this.#release(socket));
    });
  }

  /**
   * Call on every request. True when this connection should close after the response, because
   * this thread holds more than its share; the connection stops counting at once, so one surplus
   * closes one connection. `res` is watched: should the answer keep the connection after all
   * (a handler overriding the header), the connection counts again.
   */
  shouldLetGo(req: IncomingMessage, res: ServerResponse): boolean {
    const socket = req.socket;
    const served = this.#served.get(socket);
    if (served === undefined) {
      // First request on this connection: from now on it counts, here.
      if (!socket.destroyed && this.#accepted.has(socket)) this.#count(socket);
      return false;
    }
    this.#served.set(socket, served + 1);
    let total = 0;
    let listening = 0;
    for (let i = 0; i < this.#n; i++) {
      if (Atomics.load(this.#slots, this.#n + i) === 0) continue;
      listening++;
      total += Atomics.load(this.#slots, i);
    }
    if (listening < 2) return false;
    const mine = Atomics.load(this.#slots, this.#slot);
    const mean = total / listening;
    if (mine <= mean + Math.max(1, mean * SLACK_SHARE)) return false;
    this.#release(socket);
    res.once('finish', () => {
      if (String(res.getHeader('connection') ?? '').toLowerCase() !== 'close' && !socket.destroyed) this.#count(socket);
    });
    return true;
  }

  /** This thread's counted connections (for tests and metrics). */
  get held(): number {
    return Atomics.load(this.#slots, this.#slot);
  }

  #count(socket: Socket): void {
    if (this.#served.has(socket)) return;
    this.#served.set(socket, 1);
    Atomics.add(this.#slots, this.#slot, 1);
  }

  #release(socket: Socket): void {
    if (this.#served.delete(socket)) Atomics.sub(this.#slots, this.#slot, 1);
  }
}
