/**
 * The whole egress path with real clients: forwarder.py on a loopback port relaying to the egress
 * proxy's Unix socket, used by Python's urllib, Node's fetch and curl through the standard proxy
 * variables; then the same from inside a bubblewrap network namespace, when bwrap works here.
 * "allowed.test" resolves (injected resolver) to the test servers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FORWARDER_IN_SANDBOX, FORWARDER_PATH, FORWARDER_PORT, FORWARDER_READY_PREFIX, FORWARDER_SETUP_FAILED, PROXY_SOCKET_IN_SANDBOX, forwarderCommand, proxyEnv } from '../../src/sandbox/egress/forwarder.ts';
import { startEgressProxy, type EgressProxy } from '../../src/sandbox/egress/proxy.ts';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const BIG = Buffer.alloc(5 * 1024 * 1024, 'rampart egress ');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let dir: string;
let origin: Server;
let port: number;
let proxy: EgressProxy;

const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  if (req.url === '/big') return void res.end(BIG);
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (d: Buffer) => (hash.update(d), (bytes += d.length)));
  req.on('end', () => res.end(JSON.stringify({ url: req.url, bytes, sha256: hash.digest('hex') })));
};

function startProxy(socketName: string, allowPorts: number[]): Promise<EgressProxy> {
  return startEgressProxy({
    socketPath: join(dir, socketName),
    allowHosts: allowPorts.map((p) => `allowed.test:${p}`),
    resolve: async (host) => (host === 'allowed.test' ? ['127.0.0.1'] : Promise.reject(new Error('ENOTFOUND'))),
    allowAddresses: (ip) => ip === '127.0.0.1',
  });
}

interface Ran { code: number | null; stdout: string; stderr: string }
function run(argv: readonly string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

/** Starts the forwarder in standalone mode on a free port; resolves once it says it listens. */
async function startForwarder(socketPath: string, t: { after(fn: () => void): void }): Promise<number> {
  const argv = forwarderCommand(0, socketPath, { python: PYTHON, script: FORWARDER_PATH });
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill());
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(String(d)));
    child.once('exit', (code) => reject(new Error(`forwarder exited ${code}`)));
  });
  assert.ok(line.startsWith(FORWARDER_READY_PREFIX) && line.endsWith('\n'), line);
  return Number(line.slice(FORWARDER_READY_PREFIX.length));
}

/** urllib through the proxy variables: [status, body or reason] per URL. */
const URLLIB = `
import json, sys, urllib.request, urllib.error
out = []
for url in sys.argv[1:]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            out.append([r.status, r.read().decode()])
    except urllib.error.HTTPError as e:
        out.append([e.code, e.reason])
    except OSError as e:
        out.append([0, str(e)])
print(json.dumps(out))
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-egress-fwd-'));
  origin = createServer(handler);
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  port = (origin.address() as AddressInfo).port;
  proxy = await startProxy('egress.sock', [port]);
});

after(async () => {
  await proxy.close();
  origin.closeAllConnections();
  await new Promise((r) => origin.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('egress forwarder, standalone', () => {
  it('relays Python urllib through HTTP_PROXY: the allowed host answers, others get 403', async (t) => {
    const fport = await startForwarder(proxy.socketPath, t);
    const r = await run([PYTHON, '-c', URLLIB, `http://allowed.test:${port}/py`, 'http://other.test/', 'http://169.254.169.254/latest/meta-data/'], proxyEnv(fport));
    const [ok, other, metadata] = JSON.parse(r.stdout) as [number, string][];
    assert.equal(ok![0], 200);
    assert.equal(JSON.parse(ok![1]).url, '/py');
    assert.deepEqual(other, [403, 'host not allowed']);
    assert.deepEqual(metadata, [403, 'host not allowed']);
  });

  it('relays Node fetch (NODE_USE_ENV_PROXY) and refuses an unlisted host', async (t) => {
    const fport = await startForwarder(proxy.socketPath, t);
    const code = `const ok = await fetch(process.argv[1]).then((r) => r.text());
      const other = await fetch('http://other.test/').then((r) => r.status, () => 'refused');
      console.log(JSON.stringify([JSON.parse(ok).url, other]));`;
    const r = await run([process.execPath, '--input-type=module', '-e', code, `http://allowed.test:${port}/node`], proxyEnv(fport));
    assert.deepEqual(JSON.parse(r.stdout), ['/node', 'refused'], r.stderr);
  });

  it('carries TLS through a CONNECT tunnel for curl, and curl sees the 403 for others', async (t) => {
    const openssl = spawnSync('openssl', ['version']);
    const curl = spawnSync('curl', ['--version']);
    if (openssl.status !== 0 || curl.status !== 0) return t.skip('needs the openssl and curl commands');
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=allowed.test', '-addext', 'subjectAltName=DNS:allowed.test']);
    assert.equal(made.status, 0, String(made.stderr));
    const tls = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, handler);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    t.after(() => (tls.closeAllConnections(), tls.close()));
    const tlsPort = (tls.address() as AddressInfo).port;
    const tlsProxy = await startProxy('tls.sock', [tlsPort]);
    t.after(() => tlsProxy.close());
    const fport = await startForwarder(tlsProxy.socketPath, t);
    const ok = await run(['curl', '-sS', '--cacert', cert, `https://allowed.test:${tlsPort}/big`], proxyEnv(fport));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(sha(Buffer.from(ok.stdout)), sha(BIG));
    const refused = await run(['curl', '-sS', '--cacert', cert, 'https://other.test/'], proxyEnv(fport));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /403/);
    assert.deepEqual(tlsProxy.attempts().map((a) => [a.host, a.allowed, a.via]), [['allowed.test', true, 'connect'], ['other.test', false, 'connect']]);
  });

  it('relays large bodies both ways and many connections at once, byte for byte', async (t) => {
    const fport = await startForwarder(proxy.socketPath, t);
    const code = `
import hashlib, http.client, json, sys, concurrent.futures as cf
fport, port = int(sys.argv[1]), int(sys.argv[2])
def tunnel():
    c = http.client.HTTPConnection('127.0.0.1', fport, timeout=20)
    c.set_tunnel('allowed.test', port)
    return c
def down(_):
    c = tunnel(); c.request('GET', '/big'); return hashlib.sha256(c.getresponse().read()).hexdigest()
def up(_):
    c = tunnel(); c.request('POST', '/up', body=b'x' * (3 * 1024 * 1024)); return json.loads(c.getresponse().read())
with cf.ThreadPoolExecutor(16) as ex:
    downs = list(ex.map(down, range(8)))
    ups = list(ex.map(up, range(8)))
print(json.dumps({'downs': sorted(set(downs)), 'ups': sorted({u['sha256'] for u in ups}), 'bytes': sorted({u['bytes'] for u in ups})}))
`;
    const r = await run([PYTHON, '-c', code, String(fport), String(port)], {}, 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { downs: [sha(BIG)], ups: [sha(Buffer.alloc(3 * 1024 * 1024, 'x'))], bytes: [3 * 1024 * 1024] });
  });
});

describe('egress forwarder, exec mode', () => {
  it('runs the command with exactly proxyEnv(port), its exit status, and default signal dispositions', async () => {
    const names = Object.keys(proxyEnv(0));
    const code = 'import json, os, sys\nprint(json.dumps({k: os.environ.get(k) for k in sys.argv[1:]}))\nsys.exit(7)';
    const r = await run(forwarderCommand(0, proxy.socketPath, { python: PYTHON, script: FORWARDER_PATH, exec: [PYTHON, '-c', code, ...names] }));
    assert.equal(r.code, 7, r.stderr);
    const env = JSON.parse(r.stdout) as Record<string, string>;
    const fport = Number(env.HTTP_PROXY!.split(':').pop());
    assert.deepEqual(env, proxyEnv(fport));
    // Python ignores SIGPIPE and SIGXFSZ for itself; the command must get them back (RLIMIT_FSIZE kills).
    const sh = await run(forwarderCommand(0, proxy.socketPath, { python: PYTHON, script: FORWARDER_PATH, exec: ['sh', '-c', 'grep SigIgn /proc/self/status'] }));
    const ignored = BigInt(`0x${sh.stdout.split(/\s+/)[1]}`);
    assert.equal(ignored & ((1n << 12n) | (1n << 24n)), 0n, sh.stdout);
  });

  it('is listening before the command starts, and stops when the command ends', async () => {
    const code = `import json, os, sys, urllib.request
print(json.dumps([os.environ['HTTP_PROXY'], urllib.request.urlopen(sys.argv[1], timeout=10).status]))`;
    const r = await run(forwarderCommand(0, proxy.socketPath, { python: PYTHON, script: FORWARDER_PATH, exec: [PYTHON, '-c', code, `http://allowed.test:${port}/`] }));
    const [url, status] = JSON.parse(r.stdout) as [string, number];
    assert.equal(status, 200);
    const fport = Number(url.split(':').pop());
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = await new Promise<boolean>((resolve) => {
        const s = connect(fport, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(true));
      });
      if (!refused) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(refused, 'the forwarder outlived its command');
  });

  it('fails with 125 and a message when it cannot start, 127 when the command does not exist', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const busyPort = (busy.address() as AddressInfo).port;
    const inUse = await run(forwarderCommand(busyPort, proxy.socketPath, { python: PYTHON, script: FORWARDER_PATH }));
    busy.close();
    assert.equal(inUse.code, FORWARDER_SETUP_FAILED);
    assert.match(inUse.stderr, /^rampart-egress-forwarder: cannot listen on 127\.0\.0\.1:\d+/);
    const usage = await run([PYTHON, FORWARDER_PATH, '--port', '70000', '--socket', '/x']);
    assert.equal(usage.code, FORWARDER_SETUP_FAILED);
    const missing = await run(forwarderCommand(0, proxy.socketPath, { python: PYTHON, script: FORWARDER_PATH, exec: ['/nonexistent/program'] }));
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /cannot execute \/nonexistent\/program/);
  });
});

describe('egress path from inside a bubblewrap network namespace', () => {
  const probe = existsSync('/usr/bin/bwrap')
    ? spawnSync('/usr/bin/bwrap', ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '--dev', '/dev', '--proc', '/proc', '--', 'true'])
    : null;
  const skip = probe === null ? 'bubblewrap is not installed (/usr/bin/bwrap)' : probe.status !== 0 ? `bwrap cannot create namespaces here: ${String(probe.stderr).trim()}` : false;
  const asSandboxUser = skip !== false ? skip : process.getuid?.() !== 0 ? 'needs root, to run the sandbox as another user like the bwrap backend does' : !existsSync('/usr/bin/setpriv') ? 'needs /usr/bin/setpriv' : false;

  /** Runs inside: a direct connection to the host's test server, a DNS lookup, then three URLs through the proxy. */
  const PROBE = `import json, socket, sys, urllib.request, urllib.error
out = {}
try:
    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=3); out['direct'] = 'connected'
except OSError as e:
    out['direct'] = type(e).__name__
try:
    socket.getaddrinfo('allowed.test', 80); out['dns'] = 'resolved'
except OSError as e:
    out['dns'] = type(e).__name__
for key, url in (('allowed', sys.argv[2]), ('other', 'https://other.test/'), ('metadata', 'http://169.254.169.254/')):
    try:
        out[key] = [urllib.request.urlopen(url, timeout=10).status]
    except urllib.error.HTTPError as e:
        out[key] = [e.code, e.reason]
    except OSError as e:
        out[key] = [0, str(e)]
print(json.dumps(out))`;
  const EXPECTED = {
    direct: 'ConnectionRefusedError',
    dns: 'gaierror',
    allowed: [200],
    other: [0, '<urlopen error Tunnel connection failed: 403 host not allowed>'],
    metadata: [403, 'host not allowed'],
  };

  it('reaches only the allowed host, through the proxy, with no direct network and no DNS', { skip }, async () => {
    const argv = [
      // The forwarder is bound in at its sandbox path: the checkout may itself live under /tmp, which the sandbox replaces.
      '/usr/bin/bwrap', '--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--bind', dir, dir,
      '--ro-bind', FORWARDER_PATH, '/tmp/forwarder.py', '--',
      ...forwarderCommand(3128, proxy.socketPath, { python: PYTHON, script: '/tmp/forwarder.py', exec: [PYTHON, '-c', PROBE, String(port), `http://allowed.test:${port}/sandboxed`] }),
    ];
    const r = await run(argv);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), EXPECTED);
    assert.ok(proxy.attempts().some((a) => a.host === 'allowed.test' && a.allowed));
  });

  it('works wired as the backend does: another user, only the socket and the forwarder bound in', { skip: asSandboxUser }, async (t) => {
    const NOBODY = 65_534;
    // The socket's directory must be traversable by the sandbox user (bwrap opens the bind source as it).
    const sockDir = await mkdtemp(join(tmpdir(), 'rampart-egress-user-'));
    await chmod(sockDir, 0o711);
    t.after(() => rm(sockDir, { recursive: true, force: true }));
    const userProxy = await startEgressProxy({
      socketPath: join(sockDir, 'egress.sock'),
      socketOwner: { uid: NOBODY, gid: NOBODY },
      allowHosts: [`allowed.test:${port}`],
      resolve: async (host) => (host === 'allowed.test' ? ['127.0.0.1'] : Promise.reject(new Error('ENOTFOUND'))),
      allowAddresses: (ip) => ip === '127.0.0.1',
    });
    t.after(() => userProxy.close());
    const usrOnly = ['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64'];
    const argv = [
      '/usr/bin/setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--no-new-privs', '--',
      '/usr/bin/bwrap', '--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup',
      '--uid', String(NOBODY), '--gid', String(NOBODY), '--die-with-parent', '--new-session', '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin',
      ...usrOnly, '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
      '--ro-bind', userProxy.socketPath, PROXY_SOCKET_IN_SANDBOX, '--ro-bind', FORWARDER_PATH, FORWARDER_IN_SANDBOX, '--remount-ro', '/', '--',
      ...forwarderCommand(FORWARDER_PORT, PROXY_SOCKET_IN_SANDBOX, { python: '/usr/bin/python3', exec: ['/usr/bin/python3', '-I', '-c', PROBE, String(port), `http://allowed.test:${port}/as-user`] }),
    ];
    const r = await run(argv);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), EXPECTED);
    assert.deepEqual(userProxy.attempts().map((a) => [a.host, a.allowed]), [['allowed.test', true], ['other.test', false], ['169.254.169.254', false]]);
  });
});
