/**
 * One text stream of the output guard, with a scripted scanner: a finding that stays in the
 * rescanned context is reported once, and rewritten values that overlap across the release
 * boundary go out whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextStream, type StreamGuardOptions } from '../../src/gateway/stream-guard.ts';
import type { AppliedFinding, Verdict } from '../../src/guard/engine.ts';

/** Findings for every match of `re` in the scanned window, with `action`. */
function options(patterns: { re: RegExp; action: AppliedFinding['action'] }[], reported: AppliedFinding[]): StreamGuardOptions {
  return {
    holdBack: 16,
    context: 16,
    scan: async (text: string, path: string) => {
      const findings: AppliedFinding[] = [];
      for (const { re, action } of patterns) {
        for (const m of text.matchAll(new RegExp(re.source, 'g'))) {
          findings.push({ detector: 'd', detectorVersion: '1', category: `custom.${action}`, start: m.index, end: m.index + m[0].length, score: 1, severity: 'high', rule: 'r', explanation: 'x', segment: path, channel: 'output', action, excerpt: '' });
        }
      }
      return { profile: 'p', blocked: false, blockedBy: null, findings, failures: [], rewrites: new Map(), durationMs: 0 } as Verdict;
    },
    rewrite: (text: string, _path: string, spans: readonly AppliedFinding[]) => {
      let out = text;
      for (const f of [...spans].sort((a, b) => b.start - a.start)) out = out.slice(0, f.start) + '*'.repeat(f.end - f.start) + out.slice(f.end);
      return out;
    },
    report: (v: Verdict) => void reported.push(...v.findings),
    blockError: () => new Error('blocked'),
  } as unknown as StreamGuardOptions;
}

async function run(stream: TextStream, text: string, step: number): Promise<string> {
  let out = '';
  for (let i = 0; i < text.length; i += step) out += await stream.push(text.slice(i, i + step));
  return out + (await stream.flush());
}

describe('TextStream', () => {
  it('reports a finding once while it stays in the context of later windows', async () => {
    const reported: AppliedFinding[] = [];
    const s = new TextStream('content', options([{ re: /TOKEN/, action: 'alert' }], reported));
    const out = await run(s, 'some words TOKEN and then more words to end the answer', 3);
    assert.equal(out, 'some words TOKEN and then more words to end the answer');
    assert.equal(reported.length, 1);
  });

  it('reports the same value twice when it is written twice', async () => {
    const reported: AppliedFinding[] = [];
    const s = new TextStream('content', options([{ re: /TOKEN/, action: 'alert' }], reported));
    await run(s, 'TOKEN, then a long stretch of ordinary words, TOKEN again', 2);
    assert.equal(reported.length, 2);
  });

  it('masks overlapping values whole when the second runs past the first across the boundary', async () => {
    // "abcdefgh" and "efghijkl" overlap; both fit the hold-back window, the second ends after the first.
    for (const step of [1, 2, 3, 4, 5, 7, 11]) {
      const t = new TextStream('content', options([{ re: /abcdefgh/, action: 'mask' }, { re: /efghijkl/, action: 'mask' }], []));
      const out = await run(t, 'start of the text abcdefghijkl end of it', step);
      assert.equal(out, `start of the text ${'*'.repeat(12)} end of it`, `step ${step}`);
    }
  });
});
