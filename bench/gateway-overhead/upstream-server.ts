/**
 * Child process: the mock OpenAI upstream of test/support/mock-upstream.ts, not recording requests
 * (flat memory). Plain chat completions get the fixed small answer; streamed ones get
 * `chunks` content chunks, `chunkDelayMs` apart. argv[2]: JSON `{ apiKey, chunks, chunkDelayMs }`.
 */
import { startMockUpstream } from '../../test/support/mock-upstream.ts';
import { send, serveParent } from './child-ipc.ts';

export interface UpstreamChildOptions {
  apiKey: string;
  chunks: number;
  chunkDelayMs: number;
  /** Streamed answers: this text split into `chunks` pieces (default: the mock's short greeting). */
  text?: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as UpstreamChildOptions;
const upstream = await startMockUpstream({ record: false, apiKey: opts.apiKey });
upstream.script({
  path: '/v1/chat/completions',
  reply: (req) => (req.body?.['stream'] === true ? { chunks: opts.chunks, chunkDelayMs: opts.chunkDelayMs, ...(opts.text ? { text: opts.text } : {}) } : {}),
});
serveParent({
  memory: () => ({ type: 'memory', ...process.memoryUsage() }),
  stop: () => upstream.close(),
});
send({ type: 'ready', url: upstream.url });
