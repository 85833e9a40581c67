/**
 * Starting and stopping the benchmark's servers, each in its own process so that none shares an
 * event loop with the load generator: the mock upstream and Rampart as forked children (IPC for
 * readiness and memory probes), Portkey through its published bin.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { ChildMessage, MemoryMessage, ReadyMessage } from './child-ipc.ts';
import { registerOwnProcess } from './proc.ts';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Server {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** The API key the server wants (Rampart), else undefined. */
  readonly apiKey: string | undefined;
  /** The child's memory, from the child itself (forked children only). */
  memory(): Promise<MemoryMessage>;
  stop(): Promise<void>;
}

/** Keeps the last few KiB a child wrote, to show when it fails. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

async function stopChild(child: ChildProcess, graceful: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  graceful();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Forks a TypeScript child entry that speaks child-ipc.ts (a file name in this directory, or an
 * absolute path) and waits for its 'ready' message.
 */
export async function forkServer(name: string, entry: string, arg: unknown, execArgv: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Server> {
  const child = fork(resolve(import.meta.dirname, entry), [JSON.stringify(arg)], {
    execArgv: [...process.execArgv, ...execArgv],
    env,
    stdio: ['ignore', process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'pipe', 'pipe', 'ipc'],
  });
  registerOwnProcess(child.pid!);
  const output = tail(child);
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const onMessage = (m: ChildMessage) => {
      if (m.type !== 'ready') return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null) => fail(new Error(`${name} exited with code ${code} before it was ready`));
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    function fail(e: Error) {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\n--- ${name} output ---\n${output()}`));
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
  return {
    name,
    url: ready.url,
    pid: child.pid!,
    apiKey: ready.apiKey,
    memory: () =>
      new Promise((resolve, reject) => {
        const onMessage = (m: ChildMessage) => {
          if (m.type !== 'memory') return;
          child.off('message', onMessage);
          resolve(m);
        };
        child.on('message', onMessage);
        if (!child.connected) reject(new Error(`${name} is gone`));
        else child.send({ type: 'memory' });
      }),
    stop: () => stopChild(child, () => (child.connected ? child.send({ type: 'stop' }) : child.kill('SIGTERM'))),
  };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * The open-source Portkey gateway (`@portkey-ai/gateway`, its own `start-server.js` bin) on a free
 * port, headless and with NODE_ENV=production (no UI or log-stream routes: its leanest mode).
 */
export async function startPortkey(): Promise<Server> {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@portkey-ai/gateway/package.json');
  const bin = join(dirname(pkg), 'build', 'start-server.js');
  const port = await freePort();
  const child = spawn(process.execPath, [bin, `--port=${port}`, '--headless'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  registerOwnProcess(child.pid!);
  const output = tail(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portkey exited with code ${child.exitCode}\n${output()}`);
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`portkey did not answer within ${READY_TIMEOUT_MS} ms\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: 'portkey',
    url,
    pid: child.pid!,
    apiKey: undefined,
    memory: () => Promise.reject(new Error('portkey memory is read from /proc only')),
    stop: () => stopChild(child, () => child.kill('SIGTERM')),
  };
}
