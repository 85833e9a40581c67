/**
 * Hostile programs, each contained by the bwrap backend: runaway CPU, memory, disk, processes and
 * output; reaching for the host's files, environment, processes and network; outliving the
 * execution; reaching another session; tricking the host's file API with symlinks, FIFOs and hard
 * links; and the kernel calls that usually start an escape. After every execution nothing of the
 * sandbox user may be left running in this process's sandbox cgroups.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { readMountinfo } from '../../src/sandbox/backends/bwrap/mountinfo.ts';
import { LIMITS, MiB, brief, leftoverProcesses, newSession, openHarness, randomToken, run } from './support/bwrap-harness.ts';
import { KERNEL_CALLS, kernelCallsProgram } from './support/kernel-calls.ts';

// A secret in Rampart's own environment: no program may ever see it.
const CANARY_NAME = `RAMPART_TEST_CANARY_${randomBytes(4).toString('hex').toUpperCase()}`;
const CANARY = `canary-${randomToken()}`;
process.env[CANARY_NAME] = CANARY;
// A secret file on the host, readable by everyone there.
const HOST_FILE = `/tmp/rampart-hostile-${randomToken()}.txt`;
await writeFile(HOST_FILE, CANARY, { mode: 0o644 });

const h = await openHarness();
after(async () => {
  await h.backend.close();
  await rm(HOST_FILE, { force: true });
  delete process.env[CANARY_NAME];
});

const refused = (e: unknown) => isRampartError(e) && e.code === 'RAMPART_FORBIDDEN';
const SHORT = { timeoutMs: 1000 };

describe('hostile programs: runaway resources', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  after(() => env?.destroy());
  afterEach(async () => assert.deepEqual(await leftoverProcesses(), [], 'nothing of the sandbox may outlive an execution'));

  const loops = { python: 'while True: pass', javascript: 'for (;;) {}', shell: 'while :; do :; done' } as const;
  for (const [language, code] of Object.entries(loops)) {
    it(`kills an infinite loop (${language}) at the timeout`, async () => {
      const r = await run(env!, language as keyof typeof loops, code, SHORT);
      assert.equal(r.killedBy, 'timeout', brief(r));
      assert.equal(r.signal, 'SIGKILL');
      assert.equal(r.exitCode, null);
      assert.ok(r.durationMs >= 1000 && r.durationMs < 4000, `durationMs ${r.durationMs}`);
    });
  }

  it('kills the whole tree at the timeout, detached children that ignore signals included', async () => {
    const r = await run(env!, 'shell', 'trap "" TERM HUP INT; (setsid sh -c \'trap "" TERM HUP; while :; do :; done\' &); nohup sh -c "while :; do :; done" >/dev/null 2>&1 & while :; do :; done', SHORT);
    assert.equal(r.killedBy, 'timeout', brief(r));
  });

  const memoryBombs = { python: 'a = []\nwhile True: a.append(" " * 10**6)', javascript: 'const a = []; for (;;) a.push(Buffer.alloc(1e6, 1));' } as const;
  for (const [language, code] of Object.entries(memoryBombs)) {
    it(`kills a memory bomb (${language}) at the session's memory limit`, async () => {
      const r = await run(env!, language as keyof typeof memoryBombs, code, { timeoutMs: 5000 });
      assert.equal(r.killedBy, 'memory', brief(r));
      assert.ok(r.peakMemoryBytes === null || r.peakMemoryBytes <= LIMITS.memoryBytes + LIMITS.diskBytes + MiB, `peak ${r.peakMemoryBytes}`);
      assert.equal((await run(env!, 'shell', 'echo alive')).stdout, 'alive\n', 'the session still works');
    });
  }

  it('contains a fork bomb at pids.max while another session keeps working', async () => {
    const other = await newSession(h);
    try {
      const bomb = run(env!, 'shell', 'f() { f | f & }; f; sleep 10', { timeoutMs: 1500 });
      await new Promise((r) => setTimeout(r, 400));
      const ok = await run(other, 'shell', 'echo fine');
      assert.equal(ok.stdout, 'fine\n', brief(ok));
      const r = await bomb;
      assert.ok(r.killedBy === 'timeout' || r.killedBy === 'pids', brief(r));
    } finally {
      await other.destroy();
    }
  });

  it('contains a fork loop in Python', async () => {
    const r = await run(env!, 'python', 'import os\nwhile True:\n    try: os.fork()\n    except OSError: pass', SHORT);
    assert.equal(r.killedBy, 'timeout', brief(r));
  });

  it('opens no more than openFiles descriptors', async () => {
    const r = await run(env!, 'python', 'import errno\nfs = []\ntry:\n    while True: fs.append(open("/dev/null"))\nexcept OSError as e: print(errno.errorcode[e.errno], len(fs))');
    assert.match(r.stdout, /^EMFILE [0-9]+\n$/, brief(r));
    assert.ok(Number(r.stdout.split(' ')[1]) < LIMITS.openFiles);
  });

  it('gets no more than its share of CPU (cgroup quota)', async () => {
    const r = await run(env!, 'python', 'while True: pass', { timeoutMs: 1500, cpus: 0.2 });
    assert.equal(r.killedBy, 'timeout', brief(r));
    assert.ok(r.cpuMs !== null && r.cpuMs < 0.2 * r.durationMs * 1.8 + 50, `cpuMs ${r.cpuMs} in ${r.durationMs} ms`);
  });

  it('cuts an output flood at the cap and kills it long before its timeout', async () => {
    const rss = process.memoryUsage().rss;
    const r = await run(env!, 'python', 'import os\nwhile True: os.write(1, b"x" * 65536); os.write(2, b"y" * 65536)', { timeoutMs: 5000 });
    assert.equal(r.killedBy, 'output', brief(r));
    assert.equal(r.stdout.length, LIMITS.outputBytes);
    assert.ok(r.stdoutBytes > LIMITS.outputBytes && r.truncated);
    assert.ok(r.durationMs < 4000);
    assert.ok(process.memoryUsage().rss - rss < 64 * MiB, 'the flood is not buffered');
  });

  it('cuts one very long line without killing a program that stays under the flood limit', async () => {
    const r = await run(env!, 'javascript', 'process.stdout.write("a".repeat(600000))');
    assert.equal(r.exitCode, 0, brief(r));
    assert.equal(r.killedBy, null);
    assert.equal(r.stdout, 'a'.repeat(LIMITS.outputBytes));
    assert.equal(r.stdoutBytes, 600000);
  });

  it('passes binary output through as replacement characters, counting every byte', async () => {
    const r = await run(env!, 'python', 'import os\nos.write(1, bytes(range(256)) * 4)');
    assert.equal(r.exitCode, 0, brief(r));
    assert.equal(r.stdoutBytes, 1024);
    assert.ok(r.stdout.includes('\u0000') && r.stdout.includes('\uFFFD'));
  });

  it('fills its own file space, /tmp and /dev/shm only up to their size (ENOSPC), and no other', async () => {
    const other = await newSession(h);
    try {
      const fill = (dir: string) =>
        `import errno\ntry:\n    f = open("${dir}/fill", "wb")\n    while True: f.write(b"x" * 65536); f.flush()\nexcept OSError as e:\n    print(errno.errorcode[e.errno])`;
      for (const dir of ['/mnt/data', '/tmp', '/dev/shm']) {
        const r = await run(env!, 'python', `${fill(dir)}\nimport os\nos.makedirs("${dir}/d", exist_ok=True)\nopen("${dir}/d/second", "wb").write(b"x" * 600000)`, { fileBytes: LIMITS.diskBytes * 2 });
        assert.match(r.stdout, /^ENOSPC\n/, `${dir}: ${brief(r)}`);
        assert.equal(r.exitCode, 1, 'the second write fails too');
      }
      const files = await env!.listFiles();
      assert.ok(files.reduce((n, f) => n + f.bytes, 0) <= LIMITS.diskBytes);
      // What filled up is the session's own tmpfs of diskBytes, not a filesystem of the host.
      const spaces = (await readMountinfo()).filter((m) => m.source === 'rampart-sandbox' && existsSync(`${m.mountPoint}/fill`));
      assert.equal(spaces.length, 1);
      const fs = await statfs(spaces[0]!.mountPoint);
      assert.equal(fs.blocks * fs.bsize, LIMITS.diskBytes);
      assert.ok(fs.bfree * fs.bsize < 256 * 1024, 'full');
      // Another session's space, and the host, are other filesystems: they still have room.
      await other.writeFile('still-room.bin', new Uint8Array(MiB));
    } finally {
      await other.destroy();
      await run(env!, 'shell', 'rm -rf fill d');
    }
  });

  it('stops a single file at fileBytes (SIGXFSZ) and runs out of inodes at the cap', async () => {
    const big = await run(env!, 'shell', 'head -c 6M /dev/zero > big; echo "goes on"; rm -f big');
    assert.equal(big.killedBy, null, 'the script itself goes on');
    assert.equal(big.stdout, 'goes on\n');
    const direct = await run(env!, 'shell', 'exec head -c 6M /dev/zero > big2');
    assert.equal(direct.killedBy, 'disk', brief(direct));
    assert.equal(direct.signal, 'SIGXFSZ');
    try {
      const inodes = await run(env!, 'python', 'import os, errno\nos.makedirs("many", exist_ok=True)\ntry:\n    for i in range(100000): open(f"many/{i}", "w").close()\nexcept OSError as e: print(errno.errorcode[e.errno], i)');
      assert.match(inodes.stdout, /^ENOSPC [0-9]{3,4}\n$/, brief(inodes));
    } finally {
      await run(env!, 'shell', 'rm -rf many big big2');
    }
  });
});

describe('hostile programs: outliving the execution', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  after(() => env?.destroy());
  afterEach(async () => assert.deepEqual(await leftoverProcesses(), []));

  it('leaves no background process behind (nohup, &)', async () => {
    const r = await run(env!, 'shell', 'nohup sleep 1000 >/dev/null 2>&1 & sleep 1000 & echo started');
    assert.equal(r.stdout, 'started\n', brief(r));
    assert.equal(r.exitCode, 0);
  });

  it('leaves no daemon behind (double fork and setsid)', async () => {
    const code = 'import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        while True:\n            open("/mnt/data/tick", "a").write("t")\n            time.sleep(0.05)\n    os._exit(0)\ntime.sleep(0.3)\nprint("parent done")';
    const r = await run(env!, 'python', code);
    assert.equal(r.stdout, 'parent done\n', brief(r));
    const a = (await env!.readFile('tick', 1e6)).length;
    await new Promise((res) => setTimeout(res, 300));
    assert.equal((await env!.readFile('tick', 1e6)).length, a, 'the daemon no longer writes');
  });

  it('returns as soon as the program exits even if a child still holds its stdout', async () => {
    const r = await run(env!, 'shell', '(sleep 30 &); echo done', { timeoutMs: 10_000 });
    assert.equal(r.stdout, 'done\n', brief(r));
    assert.ok(r.durationMs < 3000, `durationMs ${r.durationMs}`);
  });

  it('cannot exhaust pids.max with orphans: the sandbox\'s init reaps them', async () => {
    const code = 'import os\nfor i in range(60):\n    if os.fork() == 0:\n        if os.fork() == 0: os._exit(0)\n        os._exit(0)\n    os.wait()\nprint("ok")';
    const r = await run(env!, 'python', code);
    assert.equal(r.stdout, 'ok\n', brief(r));
  });

  it('cannot kill or stop its own init to escape the wait', async () => {
    const r = await run(env!, 'shell', 'kill -9 1; kill -STOP 1; echo still here');
    assert.equal(r.stdout, 'still here\n', brief(r));
  });
});

describe('hostile programs: reaching for the host', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  after(() => env?.destroy());

  it('cannot read host files (shadow, /root, /home, /work, /var, /usr/local, a host /tmp file)', async () => {
    const paths = ['/etc/shadow', '/etc/ssh', '/etc/ssl/private', '/root', '/home', '/work', '/work/main/package.json', '/var/log', '/run', '/usr/local/etc', '/sys/kernel', HOST_FILE];
    const code = `import os\nfor p in ${JSON.stringify(paths)}:\n    try:\n        print(p, "LISTED" if os.path.isdir(p) and os.listdir(p) else "READ " + open(p).read(64))\n    except OSError as e: print(p, "no", e.errno)`;
    const r = await run(env!, 'python', code);
    assert.equal(r.exitCode, 0, brief(r));
    for (const line of r.stdout.trim().split('\n')) assert.match(line, / no 2$/, line);
    assert.ok(!r.stdout.includes(CANARY));
  });

  it('sees neither Rampart\'s environment nor the host\'s processes', async () => {
    const code = 'import os\nfound = []\nfor pid in [p for p in os.listdir("/proc") if p.isdigit()]:\n    for f in ("environ", "cmdline"):\n        try: found.append(open(f"/proc/{pid}/{f}", "rb").read().decode("latin1"))\n        except OSError: pass\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))\nprint("\\n".join(found + [k + "=" + v for k, v in os.environ.items()]))';
    const r = await run(env!, 'python', code);
    assert.equal(r.exitCode, 0, brief(r));
    assert.ok(!r.stdout.includes(CANARY) && !r.stdout.includes(CANARY_NAME), 'the canary leaked');
    const pids = JSON.parse(r.stdout.split('\n')[0]!) as number[];
    assert.ok(pids.length <= 4 && pids.every((p) => p < 10), `only its own processes: ${pids.join(' ')}`);
    assert.ok(!r.stdout.includes(String(process.pid)) || !pids.includes(process.pid));
  });

  it('inherits no descriptor but stdin, stdout and stderr (Rampart\'s own are closed before bwrap)', async () => {
    // listdir's own descriptor is closed again by the time each one is checked.
    const r = await run(env!, 'python', 'import os\ndef is_open(fd):\n    try: os.fstat(fd); return True\n    except OSError: return False\nprint(sorted(fd for fd in map(int, os.listdir("/proc/self/fd")) if is_open(fd)))');
    assert.equal(r.stdout, '[0, 1, 2]\n', brief(r));
  });

  it('keeps the request\'s environment values off the host\'s process list', async () => {
    const value = `env-secret-${randomToken()}`;
    const running = run(env!, 'shell', 'sleep 1', {}, { env: { API_TOKEN: value } });
    await new Promise((res) => setTimeout(res, 400));
    const hits: string[] = [];
    for (const pid of (await readdir('/proc')).filter((p) => /^[0-9]+$/.test(p))) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(value)) hits.push(pid);
    }
    assert.equal((await running).exitCode, 0);
    assert.deepEqual(hits, []);
  });

  it('cannot write outside /mnt/data, /tmp and /dev/shm', async () => {
    const targets = ['/x', '/etc/passwd', '/etc/x', '/usr/bin/x', '/dev/x', '/proc/sys/kernel/hostname', '/proc/sysrq-trigger', '/rampart/main.sh'];
    const r = await run(env!, 'shell', targets.map((t) => `( echo hi > ${t} ) 2>/dev/null && echo "WROTE ${t}"`).join('\n') + '\necho checked');
    assert.equal(r.stdout, 'checked\n', brief(r));
  });

  it('gains nothing from setuid binaries (no_new_privs, nosuid)', async () => {
    const r = await run(env!, 'shell', 'test -u /usr/bin/mount || echo "(no setuid mount on this host)" >&2; mount -t tmpfs none /tmp 2>/dev/null || echo mount-refused; su -c id root </dev/null 2>/dev/null || echo su-refused; id -u');
    assert.equal(r.stdout, 'mount-refused\nsu-refused\n65534\n', brief(r));
  });
});

describe('hostile programs: the network', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  let connections = 0;
  const listen = (host: string): Promise<Server> =>
    new Promise((resolve, reject) => {
      const s = createServer((c) => {
        connections += 1;
        c.destroy();
      });
      s.once('error', reject);
      s.unref(); // never what keeps the test process alive, even when this suite is filtered out
      s.listen(host.startsWith('\0') ? { path: host } : { host, port: 0 }, () => resolve(s));
    });
  const servers = h.skip ? [] : await Promise.all([listen('127.0.0.1'), listen('::1').catch(() => null), listen(`\0rampart-test-${randomToken()}`)]);
  after(async () => {
    await env?.destroy();
    for (const s of servers) s?.close();
  });

  it('reaches neither the host\'s loopback, abstract sockets, private and metadata addresses, nor the internet', async () => {
    const [v4, v6, abstract] = servers;
    const port4 = (v4!.address() as { port: number }).port;
    const port6 = v6 ? (v6.address() as { port: number }).port : 1;
    const targets = [['127.0.0.1', port4], ['::1', port6], ['10.0.0.1', 80], ['192.168.1.1', 80], ['169.254.169.254', 80], ['1.1.1.1', 443], ['2606:4700:4700::1111', 443]];
    const code = `import socket\nfor host, port in ${JSON.stringify(targets)}:\n    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)\n    s.settimeout(2)\n    try:\n        s.connect((host, port)); print("CONNECTED", host)\n    except OSError as e: print(host, "no", e.errno)\nu = socket.socket(socket.AF_UNIX)\ntry:\n    u.connect(${JSON.stringify(abstract!.address())}); print("CONNECTED abstract")\nexcept OSError as e: print("abstract no", e.errno)\ntry: socket.getaddrinfo("example.com", 443); print("RESOLVED")\nexcept OSError as e: print("dns no")\nprint(sorted(n for _, n in socket.if_nameindex()))`;
    const r = await run(env!, 'python', code);
    assert.equal(r.exitCode, 0, brief(r));
    assert.ok(!/CONNECTED|RESOLVED/.test(r.stdout), r.stdout);
    assert.match(r.stdout, /\['lo'\]\n$/, 'only its own loopback');
    assert.equal(connections, 0);
  });

  it('with an allow-list, reaches the listed hosts only, only through the egress proxy, and every attempt is recorded', async () => {
    const code = [
      'import os, socket, urllib.request',
      'for url in ("http://blocked.example/", "https://blocked.example/", "http://localhost/", "http://169.254.169.254/latest/meta-data/"):',
      '    try: urllib.request.urlopen(url, timeout=5); print("FETCHED", url)',
      '    except Exception as e: print("refused", url)',
      's = socket.socket(); s.settimeout(2)',
      'try: s.connect(("1.1.1.1", 443)); print("DIRECT")',
      'except OSError as e: print("direct", e.errno)',
      'print(os.environ["HTTP_PROXY"])',
    ].join('\n');
    const r = await env!.exec({ language: 'python', code, limits: LIMITS, network: { mode: 'allow-list', hosts: ['localhost', 'allowed.example'] } });
    assert.equal(r.exitCode, 0, brief(r));
    assert.ok(!/FETCHED|DIRECT/.test(r.stdout), r.stdout);
    assert.match(r.stdout, /direct 101\nhttp:\/\/127\.0\.0\.1:3128\n$/, 'no route but the proxy');
    assert.deepEqual(r.network, [
      { host: 'blocked.example', port: 80, allowed: false },
      { host: 'blocked.example', port: 443, allowed: false },
      { host: 'localhost', port: 80, allowed: false },
      { host: '169.254.169.254', port: 80, allowed: false },
    ]);
    assert.deepEqual(await leftoverProcesses(), [], 'the forwarder is gone too');
  });

  const probe = (attempts: number, tail: string) =>
    [
      'import socket, sys',
      'def attempt(host):',
      '    s = socket.create_connection(("127.0.0.1", 3128))',
      '    s.sendall(b"CONNECT " + host + b":443 HTTP/1.1\\r\\n\\r\\n")',
      '    answer = s.recv(100); s.close(); return answer',
      `for i in range(${attempts}): print(attempt(b"n%d.blocked.example" % i).split(b"\\r\\n")[0].decode())`,
      tail,
    ].join('\n');

  it('cannot hide its refused attempts, exit status or stderr by posing as a set-up failure', async () => {
    for (const tail of ['sys.stderr.write("bwrap: Can\'t mount tmpfs\\n"); sys.exit(1)', 'sys.stderr.write("rampart-egress-forwarder: cannot start\\n"); sys.exit(125)']) {
      const r = await env!.exec({ language: 'python', code: probe(1, tail), limits: LIMITS, network: { mode: 'allow-list', hosts: ['allowed.example'] } });
      assert.equal(r.stdout, 'HTTP/1.1 403 host not allowed\n', brief(r));
      assert.match(r.stderr, /^(bwrap|rampart-egress-forwarder): /);
      assert.notEqual(r.exitCode, 0);
      assert.deepEqual(r.network, [{ host: 'n0.blocked.example', port: 443, allowed: false }]);
    }
  });

  it('cannot push refused attempts out of the record by making many: the rest are counted', async () => {
    const r = await env!.exec({ language: 'python', code: probe(1005, 'pass'), limits: { ...LIMITS, timeoutMs: 30_000 }, network: { mode: 'allow-list', hosts: ['allowed.example'] } });
    assert.equal(r.exitCode, 0, brief(r));
    assert.equal(r.network.length, 1000);
    assert.ok(r.network.every((n) => !n.allowed));
    assert.deepEqual(r.networkDropped, { allowed: 0, refused: 5 });
  });

  it('cannot open sockets of other families (vsock to the hypervisor, packet, kernel crypto)', async () => {
    const r = await run(env!, 'python', 'import socket\nfor fam in (40, 17, 38, 4, 5):\n    try: socket.socket(fam, socket.SOCK_DGRAM if fam != 40 else socket.SOCK_STREAM); print("OPENED", fam)\n    except OSError as e: print(fam, e.errno)');
    assert.equal(r.stdout, '40 97\n17 97\n38 97\n4 97\n5 97\n', brief(r));
  });
});

describe('hostile programs: the kernel', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  after(() => env?.destroy());

  it('is refused the calls that start an escape (seccomp, no capabilities, no user namespaces)', async () => {
    const r = await run(env!, 'python', kernelCallsProgram());
    assert.equal(r.exitCode, 0, brief(r));
    const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    const want = Object.fromEntries(KERNEL_CALLS.filter((c) => c.nr === undefined || c.nr[process.arch === 'arm64' ? 1 : 0] !== null).map((c) => [c.name, c.expect]));
    assert.deepEqual(got, want);
  });

  it('cannot make namespaces with the system tools either', async () => {
    const r = await run(env!, 'shell', 'unshare -Ur true 2>/dev/null || echo unshare-refused; bwrap --ro-bind / / true 2>/dev/null || echo bwrap-refused');
    assert.equal(r.stdout, 'unshare-refused\nbwrap-refused\n', brief(r));
  });
});

describe('hostile programs: uploaded files that an approved program would load', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  after(() => env?.destroy());
  const upload = (path: string, text: string) => env!.writeFile(path, new TextEncoder().encode(text));
  const pwned = async () => (await env!.listFiles()).map((f) => f.path).filter((p) => p.startsWith('pwned'));

  it('starts every execution with an empty HOME that the file API cannot reach', async () => {
    const first = await run(env!, 'shell', 'echo "$HOME"; touch "$HOME/left"; mkdir -p "$HOME/.node_modules"');
    assert.equal(first.stdout, '/tmp\n', brief(first));
    const second = await run(env!, 'shell', 'ls -A "$HOME"; echo end');
    assert.equal(second.stdout, 'end\n', brief(second));
  });

  it('Node: a package required by name is never resolved from the file space', async () => {
    const payload = 'require("fs").writeFileSync("/mnt/data/pwned-node", "x"); module.exports = () => "INJECTED";';
    for (const dir of ['.node_modules', '.node_libraries', 'node_modules']) await upload(`${dir}/leftpad.js`, payload);
    const r = await run(env!, 'javascript', 'let m; try { m = require("leftpad"); } catch (e) { m = null; console.log(e.code); }\nconsole.log(m ? m() : "no leftpad");');
    assert.equal(r.stdout, 'MODULE_NOT_FOUND\nno leftpad\n', brief(r));
    assert.deepEqual(await pwned(), []);
  });

  it('Python: neither user site-packages, .pth files nor modules of the file space load, also for python3 started by a shell program', async () => {
    const v = await run(env!, 'python', 'import sys\nprint(f"python{sys.version_info[0]}.{sys.version_info[1]}")');
    const version = v.stdout.trim();
    assert.match(version, /^python3\.[0-9]+$/, brief(v));
    const pth = 'import os; open("/mnt/data/pwned-pth", "w").close()\n';
    await upload(`.local/lib/${version}/site-packages/evil.pth`, pth);
    await upload(`.local/lib/${version}/site-packages/evilmod.py`, 'open("/mnt/data/pwned-usersite", "w").close()\n');
    await upload('evilmod.py', 'open("/mnt/data/pwned-cwd", "w").close()\n');
    const py = await run(env!, 'python', 'import sys\ntry:\n    import evilmod\nexcept ImportError:\n    print("no evilmod")\nprint([p for p in sys.path if p.startswith(("/mnt", "/tmp", "/rampart")) or p == ""])');
    assert.equal(py.stdout, 'no evilmod\n[]\n', brief(py));
    const sh = await run(env!, 'shell', 'python3 -c "import site; print(site.ENABLE_USER_SITE)"; python3 /usr/lib/python3*/this.py >/dev/null; echo done');
    assert.match(sh.stdout, /done\n$/, brief(sh));
    // A python3 a shell program starts in the file space: an uploaded json.py does not shadow the standard library.
    await upload('json.py', 'open("/mnt/data/pwned-shadow", "w").close()\n');
    const nested = await run(env!, 'shell', 'cd /mnt/data && python3 -c "import json; print(json.dumps(1))"');
    assert.equal(nested.stdout, '1\n', brief(nested));
    assert.deepEqual(await pwned(), []);
  });

  it('shells: no startup file of the file space runs, interactive or not', async () => {
    const payload = 'touch /mnt/data/pwned-rc\n';
    for (const f of ['.profile', '.bashrc', '.bash_profile', '.shrc', '.bash_login']) await upload(f, payload);
    const r = await run(env!, 'shell', 'bash -c true; bash -i -c true </dev/null 2>/dev/null; sh -i -c true </dev/null 2>/dev/null; bash -l -c true; echo done');
    assert.equal(r.stdout, 'done\n', brief(r));
    assert.deepEqual(await pwned(), []);
  });
});

describe('hostile programs: other sessions and the file API', { skip: h.skip }, async () => {
  const victim = await (h.skip ? null : newSession(h));
  const attacker = await (h.skip ? null : newSession(h));
  const secret = `secret-${randomToken()}`;
  let victimHostDir = '';
  after(async () => {
    await victim?.destroy();
    await attacker?.destroy();
  });

  it('cannot find another session\'s files or processes', async () => {
    await victim!.writeFile('secret.txt', new TextEncoder().encode(secret));
    const before = new Set((await readMountinfo()).map((m) => m.mountPoint));
    victimHostDir = [...before].find((m) => existsSync(`${m}/secret.txt`) && m.includes('rampart-sandbox-'))!;
    assert.ok(victimHostDir);
    const running = run(victim!, 'python', `import time\nSECRET = "${secret}"\ntime.sleep(1.5)`);
    await new Promise((r) => setTimeout(r, 400));
    // The needle is assembled at run time: the attacker's own code and argv must not contain it.
    const [a, b] = [secret.slice(0, 10), secret.slice(10)];
    const code = [
      'import os',
      `needle = ("${a}" + "${b}").encode()`,
      'hits = []',
      'for root in ("/mnt", "/tmp", "/dev/shm", "/etc", "/rampart"):',
      '    for d, _, files in os.walk(root):',
      '        for f in files:',
      '            try: hits += [os.path.join(d, f)] if needle in open(os.path.join(d, f), "rb").read() else []',
      '            except OSError: pass',
      'for pid in (p for p in os.listdir("/proc") if p.isdigit()):',
      '    for f in ("cmdline", "environ"):',
      '        try: hits += [f"/proc/{pid}/{f}"] if needle in open(f"/proc/{pid}/{f}", "rb").read() else []',
      '        except OSError: pass',
      `print(hits, os.path.exists("${victimHostDir}/secret.txt"))`,
    ].join('\n');
    const r = await run(attacker!, 'python', code);
    assert.equal(r.stdout, '[] False\n', brief(r));
    assert.equal((await running).exitCode, 0);
  });

  it('refuses to read through a symlink, however it is made', async () => {
    const r = await run(attacker!, 'shell', `ln -s /etc/passwd out.txt; ln -s ../../../../../../etc/passwd rel.txt; ln -s "${victimHostDir}/secret.txt" steal.txt; ln -s "${HOST_FILE}" host.txt; ln -s /etc d; ln -s loop loop; mkdir real; ln -s real alias; echo fine > real/f`);
    assert.equal(r.exitCode, 0, brief(r));
    for (const p of ['out.txt', 'rel.txt', 'steal.txt', 'host.txt', 'd/passwd', 'loop', 'alias/f']) {
      await assert.rejects(attacker!.readFile(p, 1e6), refused, p);
    }
    assert.equal(Buffer.from(await attacker!.readFile('real/f', 100)).toString(), 'fine\n');
    const listed = (await attacker!.listFiles()).map((f) => f.path);
    assert.deepEqual(listed, ['real/f'], 'symlinks are neither listed nor followed');
  });

  it('replaces a symlink on upload instead of writing through it, and never creates files through a symlinked directory', async () => {
    await run(attacker!, 'shell', `ln -sf "${HOST_FILE}" target.txt; ln -s /tmp tmpdir`);
    await attacker!.writeFile('target.txt', new TextEncoder().encode('replaced'));
    assert.equal(await readFile(HOST_FILE, 'utf8'), CANARY, 'the host file is untouched');
    assert.equal(Buffer.from(await attacker!.readFile('target.txt', 100)).toString(), 'replaced');
    const name = `evil-${randomToken()}`;
    await assert.rejects(attacker!.writeFile(`tmpdir/${name}`, new Uint8Array(1)), refused);
    assert.equal(existsSync(`/tmp/${name}`), false);
    await assert.rejects(attacker!.writeFile('d/evil', new Uint8Array(1)), refused);
    await attacker!.deleteFile('host.txt');
    assert.equal(await readFile(HOST_FILE, 'utf8'), CANARY, 'deleting a symlink removes the link only');
  });

  it('lists only names the file API can address again', async () => {
    const r = await run(attacker!, 'python', 'import os\nfor n in (b"new\\nline", b"\\xff\\xfe", b"back\\\\slash", b"plain"):\n    open(n, "wb").close()');
    assert.equal(r.exitCode, 0, brief(r));
    const names = (await attacker!.listFiles()).map((f) => f.path).filter((p) => !p.startsWith('real/') && !p.endsWith('.txt'));
    assert.deepEqual(names, ['plain']);
    await run(attacker!, 'shell', 'rm -f plain');
  });

  it('refuses FIFOs and sockets without hanging, and cannot hard-link files from outside', async () => {
    const r = await run(attacker!, 'python', 'import os, socket\nos.mkfifo("fifo")\nsocket.socket(socket.AF_UNIX).bind("sock")\nfor src in ("/etc/passwd", "/tmp/x"):\n    open("/tmp/x", "w").close()\n    try: os.link(src, "hard"); print("LINKED", src)\n    except OSError as e: print(e.errno)\nopen("own", "w").write("mine")\nos.link("own", "own-link")');
    assert.equal(r.stdout, '18\n18\n', brief(r));
    const t = Date.now();
    await assert.rejects(attacker!.readFile('fifo', 100), refused);
    await assert.rejects(attacker!.readFile('sock', 100), refused);
    assert.ok(Date.now() - t < 1000);
    assert.equal(Buffer.from(await attacker!.readFile('own-link', 100)).toString(), 'mine', 'a hard link inside the session is its own file');
  });
});
