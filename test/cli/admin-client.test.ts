/** The CLI's --server client: the URL it calls, redirects, and what it says when it cannot reach the server. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { adminRequest } from '../../src/cli/admin-client.ts';

let server: Server;
let base = '';
const seen: { url: string; auth: string | undefined }[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (req.url?.startsWith('/moved')) {
      res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  process.env.RAMPART_TOKEN = 'test-token';
});
after(() => server.close());

describe('adminRequest', () => {
  it('keeps a path prefix of --server, with or without a trailing slash', async () => {
    await adminRequest(`${base}/rampart`, 'GET', '/admin/v1/keys');
    await adminRequest(`${base}/rampart/`, 'GET', '/admin/v1/keys');
    await adminRequest(base, 'GET', '/admin/v1/keys');
    assert.deepEqual(seen.slice(-3).map((s) => s.url), ['/rampart/admin/v1/keys', '/rampart/admin/v1/keys', '/admin/v1/keys']);
    assert.equal(seen.at(-1)!.auth, 'Bearer test-token');
  });

  it('does not follow a redirect with the token, and says it was one', async () => {
    const before = seen.length;
    await assert.rejects(adminRequest(`${base}/moved`, 'GET', '/admin/v1/keys'), (e: Error) => /redirect, which is not followed/.test(e.message) && !e.message.includes('test-token'));
    assert.equal(seen.length, before + 1, 'only the first server was called');
  });

  it('refuses a --server that is not a URL', async () => {
    await assert.rejects(adminRequest('not a url', 'GET', '/admin/v1/keys'), /--server: not a URL/);
  });
});
