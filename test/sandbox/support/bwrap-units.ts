/**
 * The bwrap backend's building blocks, each on its own and without a sandbox: the seccomp program
 * (evaluated for both architectures), output cutting, exit statuses, kill reasons, mountinfo and
 * cgroup parsing, cgroup v2 on a simulated hierarchy, the bwrap arguments, paths, versions.
 * Registered by bwrap.test.ts (describeBuildingBlocks), so they run with it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { bwrapArgs, bwrapArgsData, execArgv } from '../../../src/sandbox/backends/bwrap/args.ts';
import { decode, encode, evaluate, jumpIfEqual, loadWord, ret, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS } from '../../../src/sandbox/backends/bwrap/bpf.ts';
import { detectCgroups, parseProcCgroup } from '../../../src/sandbox/backends/bwrap/cgroup.ts';
import { V2SessionCgroup } from '../../../src/sandbox/backends/bwrap/cgroup-v2.ts';
import { cgroupLimits, killReason } from '../../../src/sandbox/backends/bwrap/environment.ts';
import { splitPath } from '../../../src/sandbox/backends/bwrap/files.ts';
import { parseMountinfo } from '../../../src/sandbox/backends/bwrap/mountinfo.ts';
import { completeUtf8Length } from '../../../src/sandbox/backends/bwrap/output.ts';
import { parseBwrapVersion } from '../../../src/sandbox/backends/bwrap/probe.ts';
import { hostRootfs } from '../../../src/sandbox/backends/bwrap/rootfs.ts';
import { decodeStatus } from '../../../src/sandbox/backends/bwrap/run.ts';
import { AUDIT_ARCH, CLONE_NAMESPACE_FLAGS, DENIED_SYSCALLS, SOCKET_FAMILIES, checkedNumber, deniedNumber, seccompProgram, type SeccompArch } from '../../../src/sandbox/backends/bwrap/seccomp.ts';
import { LIMITS, MiB } from './bwrap-harness.ts';

export function describeBuildingBlocks(): void {
  const arches: SeccompArch[] = ['x64', 'arm64'];
  const ERRNO = (e: number) => 0x00050000 | e;
  for (const arch of arches) {
    it(`seccomp (${arch}): refuses the listed calls, checks clone, socket and personality arguments, kills other ABIs`, () => {
      const p = seccompProgram(arch);
      assert.deepEqual(decode(encode(p)), p);
      const audit = AUDIT_ARCH[arch];
      const act = (nr: number, args: number[] = []) => evaluate(p, { nr, arch: audit, args });
      for (const name of DENIED_SYSCALLS) {
        const nr = deniedNumber(name, arch);
        if (nr !== null) assert.equal(act(nr), ERRNO(1), name);
      }
      const clone = checkedNumber('clone', arch);
      assert.equal(act(clone, [0x01200011]), SECCOMP_RET_ALLOW, 'a plain fork');
      assert.equal(act(clone, [0x10000000 | 17]), ERRNO(1), 'CLONE_NEWUSER');
      assert.equal(act(clone, [CLONE_NAMESPACE_FLAGS]), ERRNO(1));
      assert.equal(act(checkedNumber('clone3', arch)), ERRNO(38), 'clone3: ENOSYS, so libc falls back to clone');
      for (const fam of SOCKET_FAMILIES) assert.equal(act(checkedNumber('socket', arch), [fam]), SECCOMP_RET_ALLOW);
      assert.equal(act(checkedNumber('socket', arch), [40]), ERRNO(97), 'AF_VSOCK');
      assert.equal(act(checkedNumber('socketpair', arch), [38]), ERRNO(97), 'AF_ALG');
      assert.equal(act(checkedNumber('personality', arch), [0xffffffff]), SECCOMP_RET_ALLOW);
      assert.equal(act(checkedNumber('personality', arch), [0x0040000]), ERRNO(1));
      assert.equal(act(checkedNumber('ioctl', arch), [1, 0x5412]), ERRNO(1), 'TIOCSTI');
      assert.equal(act(checkedNumber('ioctl', arch), [1, 0x5401]), SECCOMP_RET_ALLOW, 'TCGETS');
      assert.equal(act(0), SECCOMP_RET_ALLOW);
      assert.equal(evaluate(p, { nr: 0, arch: arch === 'x64' ? 0x40000003 : 0x40000028 }), SECCOMP_RET_KILL_PROCESS, 'the 32-bit ABI');
      if (arch === 'x64') assert.equal(act(0x40000000 | 1), SECCOMP_RET_KILL_PROCESS, 'x32');
    });
  }

  it('bpf: refuses programs the kernel would refuse', () => {
    assert.throws(() => encode([]));
    assert.throws(() => encode([jumpIfEqual(1, 5, 0), ret(SECCOMP_RET_ALLOW)]), /past the end/);
    assert.throws(() => encode([loadWord(0)]), /must end with a return/);
  });

  it('keeps whole UTF-8 characters when output is cut', () => {
    const e = Buffer.from('aé€😀');
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => completeUtf8Length(e.subarray(0, n))), [1, 1, 3, 3, 3, 6, 6, 6, 6, 10]);
    assert.equal(completeUtf8Length(Buffer.from([0xff, 0xfe])), 2, 'invalid bytes are left to the decoder');
  });

  it('reads exit statuses the way shells write them', () => {
    assert.deepEqual(decodeStatus(0, null), { exitCode: 0, signal: null });
    assert.deepEqual(decodeStatus(139, null), { exitCode: null, signal: 'SIGSEGV' });
    assert.deepEqual(decodeStatus(128, null), { exitCode: 128, signal: null });
    assert.deepEqual(decodeStatus(null, 'SIGKILL'), { exitCode: null, signal: 'SIGKILL' });
  });

  it('names why an execution ended, Rampart\'s own reasons first', () => {
    const c = (oomKills: number, pidsMax: number) => ({ cpuNs: 0, oomKills, pidsMax });
    assert.equal(killReason({ stoppedBy: 'timeout', exitCode: null, signal: 'SIGKILL' }, c(0, 0), c(1, 1)), 'timeout');
    assert.equal(killReason({ stoppedBy: null, exitCode: null, signal: 'SIGKILL' }, c(0, 0), c(1, 0)), 'memory');
    assert.equal(killReason({ stoppedBy: null, exitCode: null, signal: 'SIGXFSZ' }, c(0, 0), c(0, 0)), 'disk');
    assert.equal(killReason({ stoppedBy: null, exitCode: 1, signal: null }, c(0, 0), c(0, 3)), 'pids');
    assert.equal(killReason({ stoppedBy: null, exitCode: 0, signal: null }, c(0, 0), c(0, 3)), null, 'a program that coped');
    assert.deepEqual(cgroupLimits(LIMITS, LIMITS.diskBytes), { memoryBytes: LIMITS.memoryBytes + LIMITS.diskBytes, cpus: LIMITS.cpus, pids: LIMITS.pids + 2 });
  });

  it('parses mountinfo (escaped paths) and /proc/self/cgroup', () => {
    const [m] = parseMountinfo('36 35 0:31 / /tmp/a\\040b rw,relatime shared:1 - tmpfs rampart-sandbox rw,size=1024k\n');
    assert.deepEqual(m, { root: '/', mountPoint: '/tmp/a b', fsType: 'tmpfs', source: 'rampart-sandbox', superOptions: ['rw', 'size=1024k'] });
    const own = parseProcCgroup('4:memory:/a/b\n2:cpu,cpuacct:/\n0::/unified\n');
    assert.equal(own.get('memory'), '/a/b');
    assert.equal(own.get('cpuacct'), '/');
    assert.equal(own.get(''), '/unified');
  });

  it('finds cgroup v2 when it has the controllers, else v1, else says what is missing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rampart-fake-cgroup-'));
    try {
      const mount = (fsType: string, mountPoint: string, opts: string[] = []) => ({ root: '/', mountPoint, fsType, source: fsType, superOptions: ['rw', ...opts] });
      await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
      assert.deepEqual(await detectCgroups([mount('cgroup2', root)], '0::/svc\n', null), { layout: { version: 'v2', parent: join(root, 'svc') } });
      assert.deepEqual(await detectCgroups([mount('cgroup2', root)], '0::/svc\n', '/delegated'), { layout: { version: 'v2', parent: join(root, 'delegated') } });
      await writeFile(join(root, 'cgroup.controllers'), 'hugetlb\n');
      const v1 = [mount('cgroup2', root), mount('cgroup', '/c/memory', ['memory']), mount('cgroup', '/c/pids', ['pids']), mount('cgroup', '/c/cpu,cpuacct', ['cpu', 'cpuacct'])];
      const found = await detectCgroups(v1, '3:memory:/m\n2:pids:/\n1:cpu,cpuacct:/\n0::/\n', null);
      assert.deepEqual(found, { layout: { version: 'v1', parents: { memory: '/c/memory/m', pids: '/c/pids', cpu: '/c/cpu,cpuacct', cpuacct: '/c/cpu,cpuacct', freezer: null } } });
      assert.match((await detectCgroups(v1.slice(0, 2), '', null) as { reason: string }).reason, /cpu controller/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('writes cgroup v2 limits and reads its counters', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-fake-cgroup-'));
    try {
      for (const f of ['memory.max', 'memory.swap.max', 'memory.oom.group', 'cpu.max', 'pids.max']) await writeFile(join(dir, f), 'max\n');
      await writeFile(join(dir, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\n');
      await writeFile(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 2\n');
      await writeFile(join(dir, 'pids.events'), 'max 3\n');
      const cg = new V2SessionCgroup(dir);
      await cg.setLimits({ memoryBytes: 100 * MiB, cpus: 0.5, pids: 10 });
      const read = async (f: string) => (await readFile(join(dir, f), 'utf8')).trim();
      assert.deepEqual(await Promise.all(['memory.max', 'memory.swap.max', 'memory.oom.group', 'cpu.max', 'pids.max'].map(read)), [String(100 * MiB), '0', '1', '50000 100000', '10']);
      assert.deepEqual(await cg.counters(), { cpuNs: 1_500_000, oomKills: 2, pidsMax: 3 });
      assert.deepEqual(cg.procsFiles, [join(dir, 'cgroup.procs')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds a sandbox with every namespace, a read-only allow-listed root and the filter, whatever the request says', async () => {
    const plan = await hostRootfs();
    const binds = plan.binds.map(([, dest]) => dest);
    for (const d of ['/', '/usr', '/usr/local', '/etc', '/root', '/home', '/var', '/run', '/proc', '/sys']) assert.ok(!binds.includes(d), d);
    const spec = { tools: { bash: '/bin/bash', prlimit: '/p', setpriv: '/s', bwrap: '/b' }, plan, etcDir: '/x/etc', spaceDir: '/x/s-1', uid: 1234, gid: 1234, procsFiles: ['/cg/cgroup.procs'], fileBytes: 10, openFiles: 20, tmpBytes: 30, env: { PATH: '/bin', X: '--share-net' }, argv: ['/bin/sh', '/rampart/main.sh'], codePath: '/rampart/main.sh', nodeBinary: null, extraBinds: [] };
    const a = bwrapArgs(spec);
    const flag = (f: string, ...v: string[]) => a.some((x, i) => x === f && v.every((y, j) => a[i + 1 + j] === y));
    for (const f of ['--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv', '--as-pid-1']) assert.ok(flag(f), f);
    assert.ok(flag('--setenv', 'X', '--share-net'), 'a value is a value, never an option');
    assert.ok(flag('--remount-ro', '/') && flag('--seccomp', '3') && flag('--uid', '1234') && flag('--cap-drop', 'ALL'));
    assert.equal(bwrapArgsData(spec).toString().split('\0').length, a.length + 1);
    const argv = execArgv(spec);
    assert.ok(!argv.includes('X') && argv.includes('--args'), 'options travel through a pipe, not the command line');
  });

  it('accepts ordinary relative paths', () => {
    assert.deepEqual(splitPath('a/b c/ü.txt'), ['a', 'b c', 'ü.txt']);
    assert.deepEqual(splitPath('.hidden'), ['.hidden']);
  });

  it('reads the bwrap version', () => {
    assert.deepEqual(parseBwrapVersion('bubblewrap 0.8.0\n'), [0, 8, 0]);
    assert.deepEqual(parseBwrapVersion('bubblewrap 0.11'), [0, 11, 0]);
    assert.equal(parseBwrapVersion('something else'), null);
  });
}
