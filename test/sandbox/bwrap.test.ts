/**
 * The bwrap backend does what an execution environment must: programs in Python, JavaScript and
 * shell run with their output, exit status and environment; a session's files persist between its
 * executions and are reachable from the host; limits and accounting are reported; destroy and close
 * leave nothing mounted or running; an unavailable backend refuses instead of pretending.
 * (Hostile programs: hostile.test.ts.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isRampartError } from '../../src/core/errors.ts';
import { createBwrapBackend } from '../../src/sandbox/backends/bwrap/index.ts';
import { readMountinfo } from '../../src/sandbox/backends/bwrap/mountinfo.ts';
import { LIMITS, MiB, brief, leftoverProcesses, newSession, openHarness, run, sandboxCgroupDirs } from './support/bwrap-harness.ts';
import { describeBuildingBlocks } from './support/bwrap-units.ts';

const h = await openHarness();
after(() => h.backend.close());

const rejectsWith = (code: string) => (e: unknown) => isRampartError(e) && e.code === code;

describe('bwrap backend: status', { skip: h.skip }, () => {
  it('reports what it enforces on this machine', async () => {
    const s = await h.backend.status();
    assert.equal(s.available, true);
    assert.equal(s.reason, null);
    assert.equal(s.features.userns, true);
    assert.equal(s.features.seccomp, true);
    assert.ok(s.features.cgroup === 'v1' || s.features.cgroup === 'v2');
    assert.match(String(s.features.network), /^none/);
    assert.equal(h.backend.id, 'bwrap');
  });
});

describe('bwrap backend: programs', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  after(() => env?.destroy());

  it('runs Python with stdout, stderr and the exit code', async () => {
    const r = await run(env!, 'python', 'import sys\nprint("out")\nprint("err", file=sys.stderr)\nsys.exit(3)');
    assert.equal(r.stdout, 'out\n', brief(r));
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.exitCode, 3);
    assert.equal(r.signal, null);
    assert.equal(r.killedBy, null);
    assert.equal(r.truncated, false);
    assert.deepEqual(r.network, []);
  });

  it('runs JavaScript with Rampart\'s own Node', async () => {
    const r = await run(env!, 'javascript', 'console.log(process.version); console.error("e"); process.exitCode = 4');
    assert.equal(r.stdout, `${process.version}\n`, brief(r));
    assert.equal(r.stderr, 'e\n');
    assert.equal(r.exitCode, 4);
  });

  it('runs ES module JavaScript too', async () => {
    const r = await run(env!, 'javascript', 'import { platform } from "node:os";\nconsole.log(platform());');
    assert.equal(r.stdout, 'linux\n', brief(r));
  });

  it('runs shell scripts', async () => {
    const r = await run(env!, 'shell', 'echo "$((6 * 7))"; exit 5');
    assert.equal(r.stdout, '42\n', brief(r));
    assert.equal(r.exitCode, 5);
  });

  it('runs as the unprivileged sandbox user, in /mnt/data with HOME at /tmp, on a host named sandbox, first in line for the OOM killer', async () => {
    const r = await run(env!, 'shell', 'id -u; id -g; pwd; echo "$HOME"; hostname; cat /proc/self/oom_score_adj; cat /proc/self/status | grep -E "^(NoNewPrivs|Seccomp):" | tr -s "\\t " " "');
    assert.equal(r.stdout, '65534\n65534\n/mnt/data\n/tmp\nsandbox\n1000\nNoNewPrivs: 1\nSeccomp: 2\n', brief(r));
  });

  it('reports a program\'s own exit status and stderr, also when they look like the chain\'s set-up errors', async () => {
    const cases: [string, number, RegExp][] = [
      ['echo "bwrap: Can\'t mount proc" >&2; exit 1', 1, /^bwrap: Can't mount proc\n$/],
      ['echo start\nbash -c nosuchcommand', 127, /^bash: .*nosuchcommand: command not found\n$/],
      ['echo "rampart-egress-forwarder: cannot start" >&2; exit 125', 125, /^rampart-egress-forwarder: cannot start\n$/],
      ['echo "prlimit: failed" >&2; exit 126', 126, /^prlimit: failed\n$/],
    ];
    for (const [code, exitCode, stderr] of cases) {
      const r = await run(env!, 'shell', code);
      assert.equal(r.exitCode, exitCode, brief(r));
      assert.match(r.stderr, stderr);
      assert.equal(r.killedBy, null);
    }
  });

  it('passes the request\'s environment variables and only a minimal base', async () => {
    const r = await run(env!, 'python', 'import os, json\nprint(json.dumps(dict(os.environ), sort_keys=True))', {}, { env: { GREETING: 'hello world', EMPTY: '' } });
    const seen = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(seen.GREETING, 'hello world', brief(r));
    assert.equal(seen.EMPTY, '');
    assert.deepEqual(Object.keys(seen).sort(), ['EMPTY', 'GREETING', 'HOME', 'LANG', 'LOGNAME', 'PATH', 'PWD', 'PYTHONSAFEPATH', 'TMPDIR', 'TZ', 'USER']);
  });

  it('reports a program killed by a signal as that signal', async () => {
    const r = await run(env!, 'python', 'import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)');
    assert.equal(r.exitCode, null, brief(r));
    assert.equal(r.signal, 'SIGSEGV');
    assert.equal(r.killedBy, null);
    assert.equal(r.stderr, '', 'the init\'s own notices stay out of the program\'s stderr');
  });

  it('reports CPU time and peak memory', async () => {
    const r = await run(env!, 'python', 'b = bytearray(24 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nx = 0\nfor i in range(2_000_000): x += i');
    assert.equal(r.exitCode, 0, brief(r));
    assert.ok(r.cpuMs !== null && r.cpuMs > 20, `cpuMs ${r.cpuMs}`);
    assert.ok(r.peakMemoryBytes !== null && r.peakMemoryBytes >= 24 * MiB, `peak ${r.peakMemoryBytes}`);
    assert.ok(r.durationMs > 0);
  });

  it('cuts each stream at outputBytes, counts the rest, and never splits a character', async () => {
    const r = await run(env!, 'python', 'import sys\nsys.stdout.write("é" * 1000)\nsys.stderr.write("x" * 10)', { outputBytes: 1001 });
    assert.equal(r.stdoutBytes, 2000, brief(r));
    assert.equal(r.stdout, 'é'.repeat(500), 'the half character at the cut is dropped, not turned into U+FFFD');
    assert.equal(r.stderr, 'x'.repeat(10));
    assert.equal(r.truncated, true);
    assert.equal(r.killedBy, null);
  });

  it('stops an execution when its AbortSignal fires', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await run(env!, 'shell', 'sleep 30', {}, { signal: ac.signal });
    assert.equal(r.killedBy, 'aborted', brief(r));
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(r.durationMs < 3000);
  });

  it('runs executions of one session one after the other', async () => {
    const [a, b] = await Promise.all([run(env!, 'shell', 'echo a > order.txt; sleep 0.2; cat order.txt'), run(env!, 'shell', 'echo b > order.txt; cat order.txt')]);
    assert.equal(a.stdout, 'a\n');
    assert.equal(b.stdout, 'b\n');
  });
});

describe('bwrap backend: files', { skip: h.skip }, async () => {
  const env = await (h.skip ? null : newSession(h));
  after(() => env?.destroy());

  it('keeps files between executions of a session', async () => {
    await run(env!, 'python', 'import os\nos.makedirs("notes", exist_ok=True)\nopen("notes/a.txt", "w").write("from python")');
    const r = await run(env!, 'shell', 'cat notes/a.txt');
    assert.equal(r.stdout, 'from python', brief(r));
  });

  it('writes files that programs read, and reads files that programs write', async () => {
    const f = await env!.writeFile('in/data.bin', new Uint8Array([1, 2, 3, 255]));
    assert.equal(f.path, 'in/data.bin');
    assert.equal(f.bytes, 4);
    const r = await run(env!, 'python', 'd = open("in/data.bin", "rb").read()\nopen("out.txt", "w").write(",".join(map(str, d)))\nimport os\nos.makedirs("in/deeper", exist_ok=True)\nopen("in/deeper/x", "w").write("ok")');
    assert.equal(r.exitCode, 0, brief(r));
    assert.equal(Buffer.from(await env!.readFile('out.txt', 1024)).toString(), '1,2,3,255');
    assert.equal(Buffer.from(await env!.readFile('in/deeper/x', 1024)).toString(), 'ok');
  });

  it('lists and deletes files', async () => {
    await env!.writeFile('del/me.txt', new TextEncoder().encode('bye'));
    const listed = await env!.listFiles();
    assert.ok(listed.some((f) => f.path === 'del/me.txt' && f.bytes === 3));
    assert.ok(listed.every((f) => !f.path.startsWith('.rampart-upload-')));
    await env!.deleteFile('del/me.txt');
    assert.ok(!(await env!.listFiles()).some((f) => f.path === 'del/me.txt'));
    await assert.rejects(env!.readFile('del/me.txt', 10), rejectsWith('RAMPART_NOT_FOUND'));
  });

  it('refuses a read larger than maxBytes, and an upload larger than fileBytes', async () => {
    await env!.writeFile('ten.txt', new Uint8Array(10));
    await assert.rejects(env!.readFile('ten.txt', 9), rejectsWith('RAMPART_INVALID_REQUEST'));
    assert.equal((await env!.readFile('ten.txt', 10)).length, 10);
    await assert.rejects(env!.writeFile('big.bin', new Uint8Array(LIMITS.fileBytes + 1)), rejectsWith('RAMPART_BODY_TOO_LARGE'));
  });

  const badPaths = ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a/.', 'nul\0x', 'tab\tx', 'back\\slash', 'x/'.repeat(40) + 'y', 'n'.repeat(256)];
  for (const p of badPaths) {
    it(`refuses the path ${JSON.stringify(p.slice(0, 24))}`, async () => {
      await assert.rejects(env!.readFile(p, 10), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env!.writeFile(p, new Uint8Array(1)), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env!.deleteFile(p), rejectsWith('RAMPART_INVALID_REQUEST'));
    });
  }

  it('fails with a clear error when the file space is full', async () => {
    const space = await newSession(h, { ...LIMITS, diskBytes: 1 * MiB, fileBytes: 4 * MiB });
    try {
      await assert.rejects(space.writeFile('fill.bin', new Uint8Array(2 * MiB)), (e: unknown) => isRampartError(e) && /full/.test(e.message));
      assert.deepEqual(await space.listFiles(), [], 'the partial upload is removed');
    } finally {
      await space.destroy();
    }
  });
});

describe('bwrap backend: lifecycle', { skip: h.skip }, () => {
  it('destroy kills, unmounts and removes everything; it is idempotent', async () => {
    const env = await newSession(h);
    // This session's own mount, found by a marker file (other test files mount and unmount theirs concurrently).
    const marker = `marker-${process.pid}-${Date.now()}`;
    await env.writeFile(marker, new Uint8Array(1));
    const ac = new AbortController();
    const running = run(env, 'shell', 'sleep 30 & sleep 30', { timeoutMs: 20_000 }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    const own = (await readMountinfo()).filter((m) => m.source === 'rampart-sandbox' && existsSync(join(m.mountPoint, marker)));
    assert.equal(own.length, 1);
    await Promise.all([env.destroy(), env.destroy()]);
    const r = await running;
    assert.equal(r.killedBy, 'aborted', brief(r));
    assert.deepEqual(await leftoverProcesses(), []);
    assert.ok(!(await readMountinfo()).some((m) => m.mountPoint === own[0]!.mountPoint), 'its file space is unmounted');
    assert.equal(existsSync(own[0]!.mountPoint), false);
    await assert.rejects(run(env, 'shell', 'true'), rejectsWith('RAMPART_CONFLICT'));
    await assert.rejects(env.listFiles(), rejectsWith('RAMPART_CONFLICT'));
  });

  it('close destroys every open session and removes its cgroup and directory', async () => {
    const b = createBwrapBackend();
    const s = await b.status();
    assert.equal(s.available, true, s.reason ?? '');
    const envs = await Promise.all([1, 2].map((i) => b.create({ sessionId: `close-${i}`, limits: LIMITS })));
    // These sessions' own mounts, found by marker files: other test files mount and unmount theirs
    // concurrently, so "what disappeared" would count theirs too.
    const marker = `marker-${process.pid}-${Date.now()}`;
    for (const env of envs) await env.writeFile(marker, new Uint8Array(1));
    const cgroupsBefore = await sandboxCgroupDirs();
    const own = (await readMountinfo()).filter((m) => m.source === 'rampart-sandbox' && existsSync(join(m.mountPoint, marker))).map((m) => m.mountPoint);
    assert.equal(own.length, 2);
    await b.close();
    const afterMounts = (await readMountinfo()).filter((m) => m.source === 'rampart-sandbox').map((m) => m.mountPoint);
    for (const m of own) {
      assert.ok(!afterMounts.includes(m), `${m} is unmounted`);
      assert.equal(existsSync(m), false);
    }
    const cgroupsAfter = await sandboxCgroupDirs();
    assert.ok(cgroupsAfter.length < cgroupsBefore.length, 'the closed backend\'s cgroups are gone');
    assert.ok(cgroupsAfter.every((d) => cgroupsBefore.includes(d)));
    await assert.rejects(b.create({ sessionId: 'late', limits: LIMITS }), rejectsWith('RAMPART_NOT_READY'));
  });

  it('offers only the languages whose interpreter the sandbox can see, and refuses the others', async () => {
    const b = createBwrapBackend({ pythonPath: '/root/.pyenv/shims/python3' });
    try {
      const s = await b.status();
      assert.equal(s.features.python, false, 'a Python outside /usr is not in the sandbox');
      assert.equal(s.features.javascript, true);
      const env = await b.create({ sessionId: 'no-python', limits: LIMITS });
      await assert.rejects(run(env, 'python', 'print(1)'), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env.exec({ language: 'shell', code: 'true', limits: LIMITS, network: { mode: 'allow-list', hosts: ['example.com'] } }), rejectsWith('RAMPART_INVALID_REQUEST'), 'the egress forwarder needs Python');
      assert.equal((await run(env, 'shell', 'echo ok')).stdout, 'ok\n');
    } finally {
      await b.close();
    }
  });

  it('reports a chain that cannot set the sandbox up as RAMPART_INTERNAL, not as the program\'s result', async () => {
    const b = createBwrapBackend();
    try {
      assert.equal((await b.status()).available, true);
      const env = await b.create({ sessionId: 'setup-failure', limits: LIMITS });
      const marker = `marker-${process.pid}-${Date.now()}`;
      await env.writeFile(marker, new Uint8Array(1));
      const own = (await readMountinfo()).find((m) => m.source === 'rampart-sandbox' && existsSync(join(m.mountPoint, marker)));
      assert.ok(own);
      // bwrap runs as the sandbox user: without search permission on the backend's directory it cannot bind anything from it.
      const dir = dirname(own.mountPoint);
      const mode = (await stat(dir)).mode & 0o7777;
      await chmod(dir, 0o700);
      try {
        await assert.rejects(run(env, 'shell', 'echo never'), (e: unknown) => isRampartError(e) && e.code === 'RAMPART_INTERNAL' && /could not be started/.test(e.message));
      } finally {
        await chmod(dir, mode);
      }
      assert.equal((await run(env, 'shell', 'echo ok')).stdout, 'ok\n');
    } finally {
      await b.close();
    }
  });

  it('refuses a malformed session id, limits, request, environment or network', async () => {
    await assert.rejects(h.backend.create({ sessionId: '../x', limits: LIMITS }), rejectsWith('RAMPART_INVALID_REQUEST'));
    await assert.rejects(h.backend.create({ sessionId: 'ok', limits: { ...LIMITS, memoryBytes: Number.NaN } }), rejectsWith('RAMPART_INVALID_REQUEST'));
    const env = await newSession(h);
    try {
      const base = { language: 'shell' as const, code: 'true', limits: LIMITS, network: { mode: 'none' as const } };
      await assert.rejects(env.exec({ ...base, env: { 'bad-name': 'x' } }), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env.exec({ ...base, env: { OK: 'nul\0' } }), rejectsWith('RAMPART_INVALID_REQUEST'));
      // Variables that would make the loader, an interpreter or a shell load code other than the program.
      for (const name of ['NODE_OPTIONS', 'NODE_PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'GCONV_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'BASH_ENV', 'ENV', 'SHELLOPTS', 'PS4', 'PERL5OPT', 'HOME', 'PATH']) {
        await assert.rejects(env.exec({ ...base, env: { [name]: '/mnt/data/x' } }), rejectsWith('RAMPART_INVALID_REQUEST'), name);
      }
      assert.equal((await env.exec({ ...base, code: 'echo "$NODE_ENV $ENVIRONMENT"', env: { NODE_ENV: 'production', ENVIRONMENT: 'ci' } })).stdout, 'production ci\n');
      await assert.rejects(env.exec({ ...base, language: 'ruby' as never }), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env.exec({ ...base, limits: { ...LIMITS, timeoutMs: -1 } }), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env.exec({ ...base, network: { mode: 'open' } as never }), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env.exec({ ...base, network: { mode: 'allow-list', hosts: [] } }), rejectsWith('RAMPART_INVALID_REQUEST'));
      await assert.rejects(env.exec({ ...base, network: { mode: 'allow-list', hosts: ['bad host!'] } }), rejectsWith('RAMPART_INVALID_REQUEST'));
    } finally {
      await env.destroy();
    }
  });
});

describe('bwrap backend: when it cannot isolate', () => {
  it('says why and refuses to create environments', async () => {
    const b = createBwrapBackend({ bwrapPath: '/nonexistent/bwrap' });
    const s = await b.status();
    assert.equal(s.available, false);
    assert.match(s.reason ?? '', process.getuid?.() === 0 ? /bubblewrap is not installed/ : /root/);
    await assert.rejects(b.create({ sessionId: 'x', limits: LIMITS }), (e: unknown) => isRampartError(e) && e.code === 'RAMPART_NOT_READY' && e.message.includes(s.reason!));
    await b.close();
  });

  it('says so when its directory is out of the sandbox user\'s reach', async () => {
    const tmpDir = await mkdtemp(join(tmpdir(), 'rampart-bwrap-private-'));
    const b = createBwrapBackend({ tmpDir });
    try {
      const s = await b.status();
      assert.equal(s.available, false);
      assert.match(s.reason ?? '', process.getuid?.() === 0 && !h.skip ? /tmpDir is not searchable/ : /./);
      assert.ok(!(s.reason ?? '').includes(tmpDir), 'no host path in the reason');
    } finally {
      await b.close();
      await rm(tmpDir, { recursive: true, force: true });
    }
  });

  it('caches the probe', async () => {
    const b = createBwrapBackend({ bwrapPath: '/nonexistent/bwrap' });
    const [x, y] = await Promise.all([b.status(), b.status()]);
    assert.equal(x, y);
    await b.close();
  });

  it('refuses root as the sandbox user, and relative paths, when built', () => {
    assert.throws(() => createBwrapBackend({ uid: 0 }), rejectsWith('RAMPART_CONFIG_INVALID'));
    assert.throws(() => createBwrapBackend({ gid: -1 }), rejectsWith('RAMPART_CONFIG_INVALID'));
    assert.throws(() => createBwrapBackend({ tmpDir: 'relative' }), rejectsWith('RAMPART_CONFIG_INVALID'));
    assert.throws(() => createBwrapBackend({ cgroupParent: '/a/../b' }), rejectsWith('RAMPART_CONFIG_INVALID'));
  });
});

describe('bwrap backend: start-up after a crash', { skip: h.skip }, () => {
  it('removes the directory, mounts and cgroups a dead earlier run left behind', async () => {
    const tmpDir = await mkdtemp(join(tmpdir(), 'rampart-bwrap-stale-'));
    await chmod(tmpDir, 0o711);
    const dead = 999_999_999; // above any pid_max: that process cannot be alive
    const stale = join(tmpDir, `rampart-sandbox-${dead}-AbC123`);
    await mkdir(join(stale, 's-0'), { recursive: true });
    execFileSync('/bin/mount', ['-t', 'tmpfs', '-o', 'size=1m', 'rampart-sandbox', join(stale, 's-0')]);
    const cgroupParents = [...new Set((await sandboxCgroupDirs()).map((d) => dirname(d)))];
    const staleCgroups = cgroupParents.map((p) => join(p, `rampart-sandbox-${dead}-abcdef`));
    for (const d of staleCgroups) await mkdir(join(d, 's-0'), { recursive: true });
    const b = createBwrapBackend({ tmpDir });
    try {
      assert.equal((await b.status()).available, true);
      assert.equal(existsSync(stale), false);
      assert.ok(!(await readMountinfo()).some((m) => m.mountPoint.startsWith(stale)));
      for (const d of staleCgroups) assert.equal(existsSync(d), false, d);
    } finally {
      await b.close();
      await rm(tmpDir, { recursive: true, force: true });
    }
  });
});

describe('bwrap backend: building blocks', describeBuildingBlocks);
