/**
 * Child process: the floor — the least a Node.js gateway can do per request, with none of the
 * security work: read the JSON body, parse it, forward it over a keep-alive undici Pool to the
 * upstream, parse the JSON answer, serialize it and send it. It shows what one extra Node hop costs
 * on this machine, so that Rampart's own cost can be told apart from the hop's.
 * argv[2]: JSON `{ upstreamUrl, upstreamKey }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { send, serveParent } from './child-ipc.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as { upstreamUrl: string; upstreamKey: string };
const pool = new Pool(opts.upstreamUrl, { connections: null });
const authorization = `Bearer ${opts.upstreamKey}`;

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const up = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify(body),
        });
        if (body['stream'] === true) {
          res.writeHead(up.statusCode, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          for await (const chunk of up.body) res.write(chunk);
          res.end();
          return;
        }
        const text = JSON.stringify(await up.body.json());
        res.writeHead(up.statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } catch {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      }
    })();
  });
});
server.listen(0, '127.0.0.1', () => {
  serveParent({
    memory: () => ({ type: 'memory', ...process.memoryUsage() }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await pool.close();
    },
  });
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
