/**
 * The embedded store's thread in the idle scheduling class: lowered only where it can be raised
 * again, raised as soon as it is starved, lowered again after a calm spell that grows when it keeps
 * being starved. The real class is read back from /proc where this process may change it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { openPgliteClient } from '../../src/store/pglite-client.ts';
import {
  BackgroundPriority,
  currentThreadId,
  mayRaisePriority,
  runQueueWaitNs,
  SCHED_IDLE,
  SCHED_OTHER,
  threadPolicy,
  type PriorityChange,
} from '../../src/store/thread-priority.ts';

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
    const calls: ('idle' | 'other')[] = [];
    const changes: PriorityChange[] = [];
    const p = BackgroundPriority.start({
      checkEveryMs: 3_600_000, // the test drives check() itself
      calmForMs: 10_000,
      maxCalmForMs: 40_000,
      now: () => now,
      mayRaise: () => opts.mayRaise ?? true,
      waitedNs: () => waitedNs,
      setPolicy: (_tid, policy) => {
        calls.push(policy);
        if (policy === opts.failOn) throw new Error('EPERM');
      },
      onChange: (c) => changes.push(c),
    });
    return {
      p,
      calls,
      changes,
      /** `ms` pass, of which the thread spent `waitMs` waiting for a CPU, with work (by default); then one check. */
      step(ms: number, waitMs = 0, work = true) {
        now += ms;
        waitedNs! += waitMs * 1e6;
        if (work) p!.busy();
        p!.check();
      },
    };
  }

  it('lowers the thread at start', () => {
    const h = harness();
    assert.ok(h.p);
    assert.equal(h.p.lowered, true);
    assert.deepEqual(h.calls, ['idle']);
    assert.equal(h.changes[0]!.policy, 'idle');
    h.p.stop();
  });

  it('does not lower a thread it could not raise again', { skip: !onLinux && 'needs /proc/thread-self' }, () => {
    const h = harness({ mayRaise: false });
    assert.equal(h.p, null);
    assert.deepEqual(h.calls, []);
  });

  it('does not lower where the kernel keeps no wait count', { skip: !onLinux && 'needs /proc/thread-self' }, () => {
    const h = harness({ waited: null });
    assert.equal(h.p, null);
    assert.deepEqual(h.calls, []);
  });

  it('stays normal when lowering fails', { skip: !onLinux && 'needs /proc/thread-self' }, () => {
    const h = harness({ failOn: 'idle' });
    assert.equal(h.p, null);
  });

  it('ignores short waits and raises the thread once it waited longer than 250 ms for a CPU', () => {
    const h = harness();
    h.step(50, 40);
    h.step(50, 240);
    assert.equal(h.p!.lowered, true);
    h.step(400, 300);
    assert.equal(h.p!.lowered, false);
    assert.deepEqual(h.calls, ['idle', 'other']);
    assert.match(h.changes[1]!.reason, /waited 300 ms for a CPU/);
    h.p!.stop();
  });

  it('does not count a wait with nothing to do (the timer alone waited), but counts one that work followed', () => {
    const h = harness();
    h.step(400, 350, false);
    h.step(50, 0, false);
    assert.equal(h.p!.lowered, true, 'an idle thread that waited only to run its timer');
    h.step(400, 350, false); // the wait is seen before the message that waited is handled
    h.step(50, 0, true);
    assert.equal(h.p!.lowered, false);
    assert.match(h.changes.at(-1)!.reason, /waited 350 ms for a CPU/);
    h.p!.stop();
  });

  it('raises a thread whose work arrives more than a second late, though it never waited long at once', () => {
    const h = harness();
    h.p!.lagging(900);
    h.step(50, 100);
    assert.equal(h.p!.lowered, true);
    h.p!.lagging(1_500);
    assert.equal(h.p!.lowered, false);
    assert.match(h.changes.at(-1)!.reason, /work 1500 ms behind/);
    h.step(9_000);
    h.p!.lagging(1_200); // still behind: the calm time starts over
    h.step(15_000);
    assert.equal(h.p!.lowered, false);
    h.step(5_000);
    assert.equal(h.p!.lowered, true, 'lowered again once it kept up for the (doubled) calm time');
    h.p!.stop();
  });

  it('looks at its wait only while there is work, and once more after it', () => {
    const h = harness();
    assert.equal(h.p!.watching, false, 'an idle server sets no timer');
    h.p!.busy();
    assert.equal(h.p!.watching, true);
    h.step(50, 0, false); // the look that sees the work
    assert.equal(h.p!.watching, true);
    h.step(50, 0, false); // a look without work
    assert.equal(h.p!.watching, false);
    h.p!.busy();
    h.step(50, 0, false);
    h.step(400, 300, false); // a late look without work: one more look before it stops
    assert.equal(h.p!.watching, true);
    h.step(50, 0, false);
    assert.equal(h.p!.watching, false);
    assert.equal(h.p!.lowered, true);
    h.p!.stop();
  });

  it('lowers it again after the calm time, and doubles that time when it is starved again soon', () => {
    const h = harness();
    h.step(1_000, 500); // starved: raised
    assert.equal(h.p!.lowered, false);
    assert.equal(h.p!.calmForMs, 20_000, 'starved within the first 10 s after being lowered');
    h.step(19_000);
    assert.equal(h.p!.lowered, false, 'not yet calm for 20 s');
    h.step(1_000);
    assert.equal(h.p!.lowered, true);
    h.step(5_000, 600); // starved 6 s after being lowered: 40 s
    assert.equal(h.p!.calmForMs, 40_000);
    h.step(40_000);
    assert.equal(h.p!.lowered, true);
    h.step(1_000, 600); // and again: capped at 40 s
    assert.equal(h.p!.calmForMs, 40_000);
    h.step(40_000);
    assert.equal(h.p!.lowered, true);
    h.step(60_000, 600); // starved long after being lowered: back to the base time
    assert.equal(h.p!.calmForMs, 10_000);
    h.p!.stop();
  });

  it('a wait while it is normal only postpones the next lowering', () => {
    const h = harness();
    h.step(100, 400);
    assert.equal(h.p!.lowered, false);
    const calls = h.calls.length;
    h.step(15_000, 300); // starved again while normal: the calm time starts over, no chrt
    assert.equal(h.calls.length, calls);
    h.step(15_000);
    assert.equal(h.p!.lowered, false);
    h.step(5_000);
    assert.equal(h.p!.lowered, true);
    h.p!.stop();
  });

  it('says so when raising fails, and tries again a second later, not at every sign', () => {
    const h = harness({ failOn: 'other' });
    h.step(100, 400);
    assert.equal(h.p!.lowered, true);
    assert.equal(h.changes.at(-1)!.failed, 'EPERM');
    h.step(100, 400);
    h.p!.lagging(5_000);
    assert.deepEqual(h.calls, ['idle', 'other'], 'no retry within the second');
    h.step(1_000, 400);
    assert.deepEqual(h.calls, ['idle', 'other', 'other']);
    h.p!.stop();
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

  it('really moves the thread to SCHED_IDLE and back', { skip: !canTryForReal && whyNotForReal }, async () => {
    const seen = await inWorker<{ tid: number; lowered: number; raised: number }>(`
      const tid = tp.currentThreadId();
      let waited = 0;
      const p = tp.BackgroundPriority.start({ checkEveryMs: 3600000, waitedNs: () => waited });
      const lowered = tp.threadPolicy(tid);
      waited += 1e9;
      p.busy();
      p.check();
      parentPort.postMessage({ tid, lowered, raised: tp.threadPolicy(tid) });
    `);
    assert.equal(seen.lowered, SCHED_IDLE);
    assert.equal(seen.raised, SCHED_OTHER);
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
      const lines: { msg: string }[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
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
