/**
 * Keeps the data-plane threads' shares of client connections even (server.threads > 1).
 *
 * The kernel hands each new connection on the shared port (SO_REUSEPORT) to one listening thread
 * by a hash of the connection's addresses, so 32 connections split 16/16 only on average: 21/11
 * is common. Under load the thread with more connections is the one that decides everybody's
 * latency and the throughput of all, while the other idles. A thread that holds more than its
 * share answers the next request on one of its connections with `connection: close`; the client
 * opens a new connection (plain HTTP/1.1 behaviour, as during a graceful shutdown), which the
 * kernel places again. The shares converge in a few such steps, and a balanced load never
 * reconnects. Each thread counts its own connections in one slot of a shared array.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Connections a thread may hold above the mean before it asks a client to reconnect. */
const SLACK = 1;

export class ConnectionShares {
  readonly #counts: Int32Array;
  readonly #slot: number;
  /** Sockets counted in this thread's slot (not those a thread was forwarded, nor those already let go). */
  readonly #counted = new WeakSet<Socket>();

  /** The shared array for `threads` data-plane threads (the main thread is one of them). */
  static memory(threads: number): SharedArrayBuffer {
    if (!Number.isInteger(threads) || threads < 2) throw new RangeError('connection shares need at least two threads');
    return new SharedArrayBuffer(threads * Int32Array.BYTES_PER_ELEMENT);
  }

  /** A thread stopped: its connections went with it (their close events never ran). */
  static forget(memory: SharedArrayBuffer, slot: number): void {
    Atomics.store(new Int32Array(memory), slot, 0);
  }

  /**
   * @example
   * const shares = new ConnectionShares(memory, 0); // the main thread; thread n uses slot n
   * shares.track(server);
   * if (shares.shouldLetGo(req.socket)) res.setHeader('connection', 'close');
   */
  constructor(memory: SharedArrayBuffer, slot: number) {
    this.#counts = new Int32Array(memory);
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.#counts.length) throw new RangeError(`slot ${slot} is outside 0..${this.#counts.length - 1}`);
    this.#slot = slot;
  }

  /** Counts the connections the server accepts, for as long as they stay open. */
  track(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.#counted.add(socket);
      Atomics.add(this.#counts, this.#slot, 1);
      socket.once('close', () => this.#release(socket));
    });
  }

  /**
   * Whether to close this connection after the current response, because this thread holds more
   * than its share. The connection stops counting at once, so one surplus closes one connection.
   */
  shouldLetGo(socket: Socket): boolean {
    if (!this.#counted.has(socket)) return false;
    let total = 0;
    for (let i = 0; i < this.#counts.length; i++) total += Atomics.load(this.#counts, i);
    const mine = Atomics.load(this.#counts, this.#slot);
    if (mine * this.#counts.length <= total + SLACK * this.#counts.length) return false;
    this.#release(socket);
    return true;
  }

  /** This thread's open connections (for tests and metrics). */
  get held(): number {
    return Atomics.load(this.#counts, this.#slot);
  }

  #release(socket: Socket): void {
    if (this.#counted.delete(socket)) Atomics.sub(this.#counts, this.#slot, 1);
  }
}
