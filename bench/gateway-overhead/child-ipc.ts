/**
 * The small protocol between the benchmark and its child processes (the mock upstream and
 * Rampart): a child announces itself once it listens, answers memory probes, and stops on request
 * or when its parent goes away (so a crashed run never leaves servers behind).
 */

export interface ReadyMessage {
  type: 'ready';
  url: string;
  /** Rampart only: the API key the load generator sends. */
  apiKey?: string;
}

export interface MemoryMessage {
  type: 'memory';
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Rampart only: the audit log's counters. */
  audit?: { queued: number; written: number; dropped: number; rejected: number };
}

export type ChildMessage = ReadyMessage | MemoryMessage | { type: 'stopped' } | { type: 'error'; message: string };
export type ParentMessage = { type: 'memory' } | { type: 'stop' };

export function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Runs `onMessage` for parent messages; calls `stop` on 'stop' or when the IPC channel closes. */
export function serveParent(handlers: { memory(): MemoryMessage; stop(): Promise<void> }): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await handlers.stop();
    } finally {
      send({ type: 'stopped' });
      process.disconnect?.();
      process.exitCode = 0;
    }
  };
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'memory') send(handlers.memory());
    else if (m.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
}
