/**
 * Time to first token of streamed chat completions: sequential requests over one keep-alive
 * connection per target; for each, the time from sending the request to the first SSE frame that carries
 * content (`choices[0].delta.content` non-empty), and to the end of the stream. The stream is also
 * checked: every content chunk arrives and it ends with `[DONE]`.
 */
import { Pool } from 'undici';
import { Samples, type Summary } from './stats.ts';
import type { Target } from './targets.ts';

export interface StreamOptions {
  requests: number;
  warmup: number;
  body: string;
  /** Content chunks the upstream sends per stream. */
  chunks: number;
}

export interface StreamResult {
  target: string;
  ttft: Summary;
  total: Summary;
  /** Streams that were incomplete or malformed. */
  bad: number;
}

/** The content a frame carries ('' for none). */
function contentOf(frame: string): string {
  if (!frame.startsWith('data: ') || frame === 'data: [DONE]') return '';
  try {
    const v = JSON.parse(frame.slice(6)) as { choices?: { delta?: { content?: unknown } }[] };
    const c = v.choices?.[0]?.delta?.content;
    return typeof c === 'string' ? c : '';
  } catch {
    return '';
  }
}

async function one(pool: Pool, target: Target, body: string): Promise<{ ttft: number; total: number; contentFrames: number; text: string; done: boolean; status: number }> {
  const t0 = performance.now();
  const res = await pool.request({ method: 'POST', path: target.path, headers: target.headers, body });
  let ttft = Number.NaN;
  let contentFrames = 0;
  let text = '';
  let done = false;
  let buffer = '';
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end).replace(/\r/g, '').trim();
      buffer = buffer.slice(end + 2);
      if (frame === 'data: [DONE]') done = true;
      else {
        const c = contentOf(frame);
        if (c.length === 0) continue;
        if (contentFrames === 0) ttft = performance.now() - t0;
        contentFrames++;
        text += c;
      }
    }
  }
  return { ttft, total: performance.now() - t0, contentFrames, text, done, status: res.statusCode };
}

/**
 * `requests` streams per target after `warmup` unmeasured ones; the targets take turns request by
 * request, so that a noisy moment on the machine hits them all alike.
 */
export async function probeStreaming(targets: Target[], opts: StreamOptions): Promise<StreamResult[]> {
  const state = targets.map((target) => ({ target, pool: new Pool(target.origin, { connections: 1, pipelining: 1 }), ttft: new Samples(), total: new Samples(), bad: 0 }));
  try {
    let expected: string | undefined;
    for (let i = 0; i < opts.warmup + opts.requests; i++) {
      for (const s of state) {
        const r = await one(s.pool, s.target, opts.body);
        // Every chunk arrived: as many frames as the upstream sent, or (a guard that holds text
        // back sends fewer, larger frames) the same text the first target received.
        expected ??= r.contentFrames === opts.chunks ? r.text : undefined;
        if (r.status !== 200 || !r.done || (r.contentFrames !== opts.chunks && r.text !== expected)) {
          s.bad++;
          continue;
        }
        if (i < opts.warmup) continue;
        s.ttft.push(r.ttft);
        s.total.push(r.total);
      }
    }
  } finally {
    await Promise.all(state.map((s) => s.pool.close()));
  }
  return state.map((s) => ({ target: s.target.name, ttft: s.ttft.summary(), total: s.total.summary(), bad: s.bad }));
}
