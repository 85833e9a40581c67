/**
 * The embedded store's thread in the idle scheduling class: lowered only where it can be raised
 * again, raised as soon as it is starved, lowered again after a calm spell that grows when it keeps
 * being starved. The real class is read back from /proc where this process may change it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { capturingLogger } from '../support/backends.ts';
import { openPgliteClient } from '../../src/store/pglite-client.ts';
import {
  BackgroundPriority,
  currentThreadId,
  mayRaisePriority,
  runQueueWaitNs,
  type PriorityChange,
} from '../../src/store/thread-priority.ts';

/** SCHED_OTHER and SCHED_IDLE as /proc/<tid>/stat reports them (field 41). */
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** The scheduling policy of thread `tid` of this process, from /proc. */
function threadPolicy(tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[41 - 3]);
  } catch {
    return null;
  }
}

const onLinux = process.platform === 'linux';
function hasChrt(): boolean {
  try {
    execFileSync('chrt', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const canTryForReal = onLinux && mayRaisePriority() && hasChrt();
const whyNotForReal = !onLinux
  ? 'scheduling classes are read from Linux /proc'
  : !mayRaisePriority()
    ? 'this process may not raise a thread back to normal priority (no CAP_SYS_NICE, RLIMIT_NICE < 20), so the store never lowers it'
    : 'chrt (util-linux) is not installed';

const STATUS_NO_CAPS = 'Name:\tnode\nCapEff:\t0000000000000000\n';
const LIMITS = (nice: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax nice priority         ${nice}                    ${nice}\n`;

describe('may the process raise a thread again', () => {
  it('yes with CAP_SYS_NICE (bit 23 of CapEff)', () => {
    assert.equal(mayRaisePriority('CapEff:\t0000000000800000\n', LIMITS('0')), true);
    assert.equal(mayRaisePriority('CapEff:\t000001ffffffffff\n', LIMITS('0')), true);
  });
  it('no without it and with RLIMIT_NICE below 20', () => {
    assert.equal(mayRaisePriority(STATUS_NO_CAPS, LIMITS('0')), false);
    assert.equal(mayRaisePriority('CapEff:\t00000000007fffff\n', LIMITS('19')), false);
    assert.equal(mayRaisePriority(null, null), false);
  });
  it('yes with RLIMIT_NICE of 20 or more, or unlimited', () => {
    assert.equal(mayRaisePriority(STATUS_NO_CAPS, LIMITS('20')), true);
    assert.equal(mayRaisePriority(STATUS_NO_CAPS, LIMITS('40')), true);
    assert.equal(mayRaisePriority(STATUS_NO_CAPS, LIMITS('unlimited')), true);
  });
});

describe('BackgroundPriority, its decisions', () => {
  function harness(opts: { mayRaise?: boolean; failOn?: 'idle' | 'other'; waited?: number | null } = {}) {
    let now = 1_000_000;
    let waitedNs: number | null = opts.waited === undefined ? 0 : opts.waited;
    let pending = 0;
    const calls: ('idle' | 'other')[] = [];
    const changes: PriorityChange[] = [];
    const p = BackgroundPriority.start(4242, {
      checkEveryMs: 0, // the test drives check() itself, as the 100 ms timer would
      calmForMs: 10_000,
      maxCalmForMs: 40_000,
      now: () => now,
      mayRaise: () => opts.mayRaise ?? true,
      waitedNs: () => waitedNs,
      pendingMs: () => pending,
      setPolicy: (tid, policy) => {
        assert.equal(tid, 4242);
        calls.push(policy);
        if (policy === opts.failOn) throw new Error('EPERM');
      },
      onChange: (c) => changes.push(c),
    });
    return {
      p,
      calls,
      changes,
      /** `ms` pass in looks 100 ms apart; the thread waits for a CPU `share` of the time; the oldest request is `pendingMs` old meanwhile. */
      run(ms: number, share = 0, pendingMs = 0) {
        pending = pendingMs;
        for (let t = 0; t < ms; t += 100) {
          now += 100;
          waitedNs! += share * 100 * 1e6;
          p!.check();
        }
      },
    };
  }

  it('lowers the thread at start', () => {
    const h = harness();
    assert.ok(h.p);
    assert.equal(h.p.lowered, true);
    assert.deepEqual(h.calls, ['idle']);
    assert.equal(h.changes[0]!.policy, 'idle');
  });

  it('does not lower a thread it could not raise again', () => {
    assert.equal(harness({ mayRaise: false }).p, null);
  });

  it('does not lower where the kernel keeps no wait count', () => {
    const h = harness({ waited: null });
    assert.equal(h.p, null);
    assert.deepEqual(h.calls, []);
  });

  it('stays normal when lowering fails', () => {
    assert.equal(harness({ failOn: 'idle' }).p, null);
  });

  it('leaves a thread that waits some of the time (by design) in the background', () => {
    const h = harness();
    h.run(30_000, 0.5);
    h.run(30_000, 0.7);
    assert.equal(h.p!.lowered, true);
    assert.deepEqual(h.calls, ['idle']);
  });

  it('raises a thread that waits three quarters of two seconds', () => {
    const h = harness();
    h.run(5_000, 0.3);
    h.run(1_000, 0.95);
    assert.equal(h.p!.lowered, true, 'not yet: 0.3 × 1 s + 0.95 × 1 s of the last 2 s');
    h.run(600, 0.95);
    assert.equal(h.p!.lowered, false);
    assert.deepEqual(h.calls, ['idle', 'other']);
    assert.match(h.changes[1]!.reason, /^waited \d+ ms for a CPU in 2000 ms$/);
  });

  it('raises it when work has waited a second while it waits a quarter of the time, not while a long statement runs', () => {
    const h = harness();
    h.run(3_000, 0.05, 5_000); // a statement that runs for seconds: the thread is not waiting
    assert.equal(h.p!.lowered, true);
    h.run(3_000, 0.3, 900);
    assert.equal(h.p!.lowered, true);
    h.run(100, 0.3, 1_200);
    assert.equal(h.p!.lowered, false);
    assert.match(h.changes[1]!.reason, /^work waited 1200 ms; waited \d+ ms for a CPU/);
  });

  it('lowers it again after the calm time, and doubles that time when it is starved again soon', () => {
    const h = harness();
    h.run(2_000, 0.9); // starved right after start: raised, 20 s
    assert.equal(h.p!.lowered, false);
    assert.equal(h.p!.calmForMs, 20_000);
    h.run(19_000);
    assert.equal(h.p!.lowered, false, 'not yet calm for 20 s');
    h.run(1_500);
    assert.equal(h.p!.lowered, true);
    h.run(5_000, 0.9); // starved within 20 s of being lowered: 40 s (the cap here)
    assert.equal(h.p!.lowered, false);
    assert.equal(h.p!.calmForMs, 40_000);
    h.run(41_000);
    assert.equal(h.p!.lowered, true);
    h.run(60_000); // calm for long after being lowered ...
    h.run(2_000, 0.9); // ... then starved: back to the base time
    assert.equal(h.p!.calmForMs, 10_000);
  });

  it('a starved spell while it is normal only postpones the next lowering', () => {
    const h = harness();
    h.run(2_000, 0.9);
    assert.equal(h.p!.lowered, false);
    const calls = h.calls.length;
    h.run(15_000, 0.9); // starved again while normal: the calm time starts over, no chrt
    assert.equal(h.calls.length, calls);
    h.run(19_000);
    assert.equal(h.p!.lowered, false);
    h.run(2_000);
    assert.equal(h.p!.lowered, true);
  });

  it('says so when raising fails, and tries again a second later, not at every look', () => {
    const h = harness({ failOn: 'other' });
    h.run(2_000, 0.9);
    assert.equal(h.p!.lowered, true);
    assert.equal(h.changes.at(-1)!.failed, 'EPERM');
    const tries = h.calls.length;
    h.run(900, 0.9);
    assert.equal(h.calls.length, tries, 'no retry within the second');
    h.run(1_100, 0.9);
    assert.ok(h.calls.length > tries);
  });
});

/** Runs `body` (module source) in a worker; resolves with what it posts. */
function inWorker<T>(body: string): Promise<T> {
  const url = new URL('../../src/store/thread-priority.ts', import.meta.url).href;
  const w = new Worker(`import * as tp from ${JSON.stringify(url)}; import { parentPort } from 'node:worker_threads';\n${body}`, { eval: true, type: 'module' } as never);
  return new Promise((resolve, reject) => {
    w.once('message', (m: T) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('the thread\'s own id and class', { skip: !onLinux && 'reads Linux /proc' }, () => {
  it('a worker gets its own thread id, not the process id', async () => {
    const main = currentThreadId();
    assert.equal(main, process.pid);
    const worker = await inWorker<number>('parentPort.postMessage(tp.currentThreadId());');
    assert.ok(Number.isInteger(worker) && worker !== process.pid);
    assert.equal(threadPolicy(main!), SCHED_OTHER);
    assert.ok((runQueueWaitNs(main!) ?? -1) >= 0);
  });

  it('really moves another thread to SCHED_IDLE and back, watched from this one', { skip: !canTryForReal && whyNotForReal }, async () => {
    // A worker that reports its id and then waits to be told to finish.
    const url = new URL('../../src/store/thread-priority.ts', import.meta.url).href;
    const w = new Worker(
      `import { currentThreadId } from ${JSON.stringify(url)}; import { parentPort } from 'node:worker_threads';
       parentPort.postMessage(currentThreadId()); parentPort.once('message', () => process.exit(0));`,
      { eval: true, type: 'module' } as never,
    );
    try {
      const tid = await new Promise<number>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      let extra = 0;
      let clock = 0;
      const p = BackgroundPriority.start(tid, { checkEveryMs: 0, now: () => clock, waitedNs: (t) => (runQueueWaitNs(t) ?? 0) + extra });
      assert.ok(p);
      assert.equal(threadPolicy(tid), SCHED_IDLE);
      clock = 2_000;
      extra = 1.9e9; // as if it had waited 1.9 s of the last 2 s for a CPU
      p.check();
      assert.equal(threadPolicy(tid), SCHED_OTHER);
      p.stop();
    } finally {
      w.postMessage('done');
      await new Promise((r) => w.once('exit', r));
    }
  });
});

describe('the embedded store\'s thread', { skip: !canTryForReal && whyNotForReal }, () => {
  const idleThreads = () =>
    readdirSync('/proc/self/task')
      .map(Number)
      .filter((tid) => threadPolicy(tid) === SCHED_IDLE);

  for (const background of [true, false]) {
    it(background ? 'runs in the idle class by default, and says so in the log' : 'stays normal with threadPriority: normal', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rampart-prio-'));
      const { logger, lines } = capturingLogger<{ msg: string }>();
      const before = idleThreads();
      const sql = await openPgliteClient({ dataDir: dir, logger, ...(background ? {} : { background: false }) });
      try {
        assert.equal((await sql.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n, 1);
        const added = idleThreads().filter((t) => !before.includes(t));
        assert.equal(added.length, background ? 1 : 0);
        assert.equal(lines.some((l) => /idle scheduling class/.test(l.msg)), background);
      } finally {
        await sql.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
