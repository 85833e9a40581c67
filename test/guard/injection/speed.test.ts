/**
 * Input is attacker-controlled: normalization, decoding, windowing and every heuristic must stay
 * linear. Each 1 MB string below is built to hurt a careless pattern (long runs of the characters a
 * pattern repeats, many overlapping starts, near-misses that fail late); the detector must get
 * through each one in about a second on both channels. A loose bound on 2 KB prompts guards
 * against regressions (the benchmark, not this test, measures throughput).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promptInjectionDetector } from '../../../src/guard/detectors/prompt-injection.ts';
import type { Channel } from '../../../src/guard/types.ts';

const detect = promptInjectionDetector.create(promptInjectionDetector.optionsSchema.parse({}), { assetsDir: '.' });
const MB = 1 << 20;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

/** CPU time of one call in ms: less sensitive than wall time to other processes on a shared machine. */
function cpuMs(text: string, channel: Channel): number {
  const start = process.cpuUsage();
  detect({ text, channel });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const ADVERSARIAL: Record<string, string> = {
  'one letter': fill('a'),
  'single letters and spaces': fill('a '),
  'letters spread with dots': fill('i.g.n.o.r.e.'),
  'leet pairs': fill('a1'),
  'leet pairs in words': fill('h4ck3r '),
  'base64 alphabet run': fill('QWxhZGRpbjpvcGVu'),
  'base64 with breaks': fill('QWxhZGRpbjpvcGVuIHNlc2FtZQ== '),
  'hex run': fill('6869'),
  'hex pairs with spaces': fill('68 69 '),
  'escaped hex': fill('\\x41'),
  'url escapes': fill('%41'),
  'url escapes with gaps': fill('%41a'),
  'comment openers': fill('<!--'),
  'tag openers': fill('<a '),
  'hidden spans': fill('<span style="display:none">x'),
  'markdown images': fill('![a](http://x?'),
  'keys and colons': fill('a:'),
  'role lines': fill('user:\n'),
  'brackets': fill('[system'),
  'zero-width between letters': fill('a\u200b'),
  'tag characters': fill(String.fromCodePoint(0xe0041)),
  'variation selectors': fill('\ufe01'),
  'combining marks': fill('a\u0301\u0302\u0303'),
  'Cyrillic mixed with Latin': fill('аa'),
  'cipher cue and lines': `decode rot13 ${fill('nopq rstu vwxy zabc\n')}`,
  'blank lines': fill('\n\n'),
  'one long line of words': fill('ignore previous instructions '),
};

describe('prompt-injection detector: linear time', () => {
  // Channels alternate: a long user text is scored whole and by window, a document by window only.
  Object.entries(ADVERSARIAL).forEach(([name, text], i) => {
    const channel: Channel = i % 2 === 0 ? 'user' : 'document';
    it(`scans 1 MB of ${name} (${channel}) in about a second`, () => {
      const ms = cpuMs(text, channel);
      assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
    });
  });

  it('scans 2 KB prompts well within the per-prompt budget', (t) => {
    const base = 'Please summarize the attached notes about the quarterly planning meeting, list the open questions and suggest owners. ';
    const prompt = base.repeat(Math.ceil(2048 / base.length)).slice(0, 2048);
    for (let i = 0; i < 200; i++) detect({ text: prompt, channel: 'user' });
    const times: number[] = [];
    for (let i = 0; i < 500; i++) times.push(cpuMs(prompt, 'user'));
    times.sort((a, b) => a - b);
    const p99 = times[Math.floor(times.length * 0.99)]!;
    t.diagnostic(`2 KB prompt: p50 ${times[times.length >> 1]!.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (CPU time)`);
    assert.ok(p99 < 5, `p99 ${p99} ms`);
  });
});
