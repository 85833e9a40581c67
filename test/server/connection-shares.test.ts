/**
 * ConnectionShares: a listener holding more than its share of the connections asks clients to
 * reconnect (connection: close) until the shares are even; a balanced or lighter listener never
 * does, and a forwarded request (a socket the listener did not accept) is never let go.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { ConnectionShares } from '../../src/server/connection-shares.ts';

function serve(shares: ConnectionShares): Promise<Server> {
  const server = createServer((req, res) => {
    if (shares.shouldLetGo(req.socket)) res.setHeader('connection', 'close');
    res.end('ok');
  });
  shares.track(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A raw keep-alive connection to the server, once the server has accepted it. */
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

describe('ConnectionShares', () => {
  const closers: (() => void)[] = [];
  after(() => closers.forEach((c) => c()));

  it('refuses a memory for fewer than two threads and a slot outside it', () => {
    assert.throws(() => ConnectionShares.memory(1), RangeError);
    assert.throws(() => new ConnectionShares(ConnectionShares.memory(2), 2), RangeError);
  });

  it('lets connections go from the heavier listener only, until the shares are even', async () => {
    const memory = ConnectionShares.memory(2);
    const heavy = new ConnectionShares(memory, 0);
    const light = new ConnectionShares(memory, 1);
    const [a, b] = await Promise.all([serve(heavy), serve(light)]);
    // Ten connections on one listener, two on the other.
    const onA = await Promise.all(Array.from({ length: 10 }, () => open(a)));
    const onB = await Promise.all(Array.from({ length: 2 }, () => open(b)));
    closers.push(() => {
      [...onA, ...onB].forEach((s) => s.destroy());
      a.close();
      b.close();
    });
    await until(() => heavy.held === 10 && light.held === 2);
    const fromB = [await get(onB[0]!), await get(onB[1]!)];
    assert.deepEqual(fromB, ['keep-alive', 'keep-alive']);
    const fromA: string[] = [];
    for (const s of onA) fromA.push(await get(s));
    // Each request on the heavier listener lets one connection go while it holds more than the
    // mean plus one (10 → 4 against 2): six in a row, then none.
    assert.deepEqual(fromA, [...Array(6).fill('close'), ...Array(4).fill('keep-alive')]);
    assert.equal(heavy.held, 4);
    await until(() => onA.filter((s) => s.destroyed || s.readyState === 'closed').length === 6);
    // Balanced now: more requests let nothing go.
    for (const s of onA.slice(6)) assert.equal(await get(s), 'keep-alive');
    assert.equal(heavy.held, 4);
    assert.equal(light.held, 2);
  });

  it('counts a connection off when it closes, and forgets a stopped thread', async () => {
    const memory = ConnectionShares.memory(2);
    const mine = new ConnectionShares(memory, 0);
    const server = await serve(mine);
    closers.push(() => server.close());
    const sockets = await Promise.all([open(server), open(server), open(server)]);
    await until(() => mine.held === 3);
    sockets.forEach((s) => s.destroy());
    await until(() => mine.held === 0);
    new ConnectionShares(memory, 1); // the other slot exists
    Atomics.store(new Int32Array(memory), 1, 5);
    ConnectionShares.forget(memory, 1);
    assert.equal(new ConnectionShares(memory, 1).held, 0);
  });

  it('never lets go a socket it did not accept (a request forwarded to this thread)', async () => {
    const memory = ConnectionShares.memory(2);
    const mine = new ConnectionShares(memory, 0);
    Atomics.store(new Int32Array(memory), 0, 30); // far above its share
    assert.equal(mine.shouldLetGo(new Socket()), false);
  });
});
