/**
 * ConnectionShares: a listener holding more than its share of the connections that served a
 * request asks clients to reconnect (connection: close) until the shares are even; a lighter
 * listener never does, nor does any while it is the only one listening; connections that never
 * sent a request do not count; a handler that keeps the connection after all makes it count again;
 * a request forwarded on another server's socket is never let go.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { ConnectionShares } from '../../src/server/connection-shares.ts';

function serve(shares: ConnectionShares, handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer((req, res) => {
    if (shares.shouldLetGo(req, res)) res.setHeader('connection', 'close');
    if (handler) handler(req, res);
    else res.end('ok');
  });
  shares.track(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A raw keep-alive connection to the server, once connected. */
function open(server: Server): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** One GET on the connection; resolves with the response's connection header. */
function get(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString('latin1');
      if (!text.endsWith('ok')) return;
      socket.off('data', onData);
      resolve(/^connection: (.*)$/im.exec(text)?.[1]?.trim() ?? '');
    };
    socket.on('data', onData);
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

async function sequentially(sockets: Socket[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of sockets) out.push(await get(s));
  return out;
}

describe('ConnectionShares', () => {
  const closers: (() => void)[] = [];
  after(() => closers.forEach((c) => c()));
  const cleanup = (servers: Server[], sockets: Socket[]) =>
    closers.push(() => {
      sockets.forEach((s) => s.destroy());
      servers.forEach((s) => s.close());
    });

  it('refuses a memory for fewer than two threads and a slot outside it', () => {
    assert.throws(() => ConnectionShares.memory(1), RangeError);
    assert.throws(() => new ConnectionShares(ConnectionShares.memory(2), 2), RangeError);
  });

  it('lets connections go from the heavier listener only, from their second request, until the shares are even', async () => {
    const memory = ConnectionShares.memory(2);
    const heavy = new ConnectionShares(memory, 0);
    const light = new ConnectionShares(memory, 1);
    const [a, b] = await Promise.all([serve(heavy), serve(light)]);
    const onA = await Promise.all(Array.from({ length: 10 }, () => open(a)));
    const onB = await Promise.all(Array.from({ length: 2 }, () => open(b)));
    cleanup([a, b], [...onA, ...onB]);
    // Connections that sent nothing do not count.
    assert.equal(heavy.held + light.held, 0);
    // A first request is never let go: ten connections on one listener, two on the other.
    assert.ok((await sequentially([...onA, ...onB])).every((c) => c === 'keep-alive'));
    assert.equal(heavy.held, 10);
    assert.equal(light.held, 2);
    assert.deepEqual(await sequentially(onB), ['keep-alive', 'keep-alive']);
    // Each later request on the heavier listener lets one connection go while it holds more than
    // the mean plus one (10 → 4 against 2): six in a row, then none.
    assert.deepEqual(await sequentially(onA), [...Array(6).fill('close'), ...Array(4).fill('keep-alive')]);
    assert.equal(heavy.held, 4);
    await until(() => onA.filter((s) => s.destroyed || s.readyState === 'closed').length === 6);
    assert.ok((await sequentially(onA.slice(6))).every((c) => c === 'keep-alive'));
    assert.equal(heavy.held, 4);
    assert.equal(light.held, 2);
  });

  it('lets nothing go while it is the only listener (the other thread starting or restarting)', async () => {
    const memory = ConnectionShares.memory(2);
    const alone = new ConnectionShares(memory, 0);
    const a = await serve(alone);
    const sockets = await Promise.all(Array.from({ length: 8 }, () => open(a)));
    cleanup([a], sockets);
    await sequentially(sockets);
    assert.ok((await sequentially(sockets)).every((c) => c === 'keep-alive'));
    assert.equal(alone.held, 8);
    // The other thread starts listening with none: now the shares are uneven.
    const b = await serve(new ConnectionShares(memory, 1));
    cleanup([b], []);
    const answers = await sequentially(sockets);
    const gone = answers.filter((c) => c === 'close').length;
    assert.ok(gone > 0);
    await until(() => sockets.filter((s) => s.destroyed || s.readyState === 'closed').length === gone);
    // It stops again (a crash): its slot is forgotten, and nothing more is let go.
    ConnectionShares.forget(memory, 1);
    const kept = sockets.filter((s) => !s.destroyed && s.readyState === 'open');
    assert.equal(alone.held, kept.length);
    assert.ok((await sequentially(kept)).every((c) => c === 'keep-alive'));
  });

  it('counts a connection again when the answer keeps it after all, and off when it closes', async () => {
    const memory = ConnectionShares.memory(2);
    const mine = new ConnectionShares(memory, 0);
    // The handler overrides the header, as a stream relay setting its own would.
    const a = await serve(mine, (_req, res) => {
      res.writeHead(200, { connection: 'keep-alive', 'content-length': '2' });
      res.end('ok');
    });
    const b = await serve(new ConnectionShares(memory, 1));
    const sockets = await Promise.all(Array.from({ length: 6 }, () => open(a)));
    cleanup([a, b], sockets);
    await sequentially(sockets);
    assert.ok((await sequentially(sockets)).every((c) => c === 'keep-alive'));
    await until(() => mine.held === 6);
    sockets.forEach((s) => s.destroy());
    await until(() => mine.held === 0);
  });

  it('never counts or lets go a socket it did not accept (a request forwarded to this thread)', () => {
    const memory = ConnectionShares.memory(2);
    const mine = new ConnectionShares(memory, 0);
    Atomics.store(new Int32Array(memory), 0, 30); // far above its share
    Atomics.store(new Int32Array(memory), 2, 1);
    Atomics.store(new Int32Array(memory), 3, 1);
    const req = { socket: new Socket() } as IncomingMessage;
    assert.equal(mine.shouldLetGo(req, {} as ServerResponse), false);
    assert.equal(mine.shouldLetGo(req, {} as ServerResponse), false);
    assert.equal(mine.held, 30);
  });
});
