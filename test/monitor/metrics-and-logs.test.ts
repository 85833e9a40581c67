/**
 * What an operator scrapes and reads: Prometheus metrics after real traffic, one JSON log line per
 * request with its request id, and no credential in any log line.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load.ts';
import { REDACT_PATHS } from '../../src/monitor/logger.ts';
import { rampartConfigSchema } from '../../src/server/config.ts';
import { startApp, type RunningApp } from '../../src/server/app.ts';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream.ts';

const lines: Record<string, unknown>[] = [];
let app: RunningApp;
let upstream: MockUpstream;
let dataDir: string;
let key: string;

before(async () => {
  upstream = await startMockUpstream();
  dataDir = await mkdtemp(join(tmpdir(), 'rampart-mon-'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, sink);
  const config = validateConfig(rampartConfigSchema(), {
    storage: { kind: 'embedded', dataDir },
    server: { port: 0 },
    roles: { user: { deployments: ['*'] } },
    deployments: [{ name: 'chat', targets: [{ provider: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-provider-key-999', model: 'm' }] }],
  });
  app = await startApp(config, { logger, defaultMetrics: false, bootstrapKey: false });
  key = (await app.identity.keys.create({ name: 't', principalKind: 'app', roles: ['user'], createdBy: 'test' })).plaintext.reveal();
});
after(async () => {
  await app?.close();
  await upstream?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const chat = (credential: string, stream = false) =>
  fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json', 'x-request-id': `probe-${stream ? 's' : 'p'}` },
    body: JSON.stringify({ model: 'chat', stream, messages: [{ role: 'user', content: 'hi' }] }),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

describe('metrics', () => {
  it('counts requests, tokens, rejections and latency, streamed time to first token included', async () => {
    assert.equal((await chat(key)).status, 200);
    assert.equal((await chat(key, true)).status, 200);
    assert.equal((await chat('rk_bogus')).status, 401);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(text, /rampart_requests_total\{plane="data",route="\/v1\/chat\/completions",deployment="chat",status="200"\} 2/);
    assert.match(text, /rampart_tokens_total\{direction="prompt",deployment="chat"\} 20/);
    assert.match(text, /rampart_rejections_total\{code="RAMPART_AUTH_MALFORMED"\} 1|rampart_rejections_total\{code="RAMPART_AUTH_INVALID_KEY"\} 1/);
    assert.match(text, /rampart_time_to_first_token_seconds_count\{deployment="chat"\} 1/);
    assert.match(text, /rampart_gateway_overhead_seconds_bucket/);
    assert.match(text, /rampart_upstream_duration_seconds_count\{target="openai:chat#0"\} 2/);
    assert.ok(!text.includes('sk-provider-key-999'));
  });
});

describe('logs', () => {
  it('writes one JSON line per request with its request id, and never a credential', async () => {
    await chat(key);
    const line = lines.find((l) => l.msg === 'request' && l.requestId === 'probe-p');
    assert.ok(line, 'an access log line with the request id');
    assert.equal(line.status, 200);
    assert.equal(line.deployment, 'chat');
    const all = JSON.stringify(lines);
    assert.ok(!all.includes(key), 'API key plaintext in logs');
    assert.ok(!all.includes('sk-provider-key-999'), 'provider key in logs');
  });
});

describe('health', () => {
  it('is ready while the store and counters answer', async () => {
    const ready = await fetch(`${app.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  it('starts and answers with a request timeout shorter than the 30 s headers timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-mon-timeout-'));
    const config = validateConfig(rampartConfigSchema(), {
      storage: { kind: 'embedded', dataDir: dir },
      server: { port: 0, requestTimeoutMs: 5000 },
      deployments: [{ name: 'chat', targets: [{ provider: 'echo' }] }],
    });
    let short: RunningApp | undefined;
    try {
      short = await startApp(config, { logger: pino({ level: 'silent' }), defaultMetrics: false, bootstrapKey: false });
      assert.equal((await fetch(`${short.url}/healthz`)).status, 200);
    } finally {
      await short?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('metrics.token', () => {
  it('keeps the metrics endpoint closed without the bearer token, and the token out of every answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-mon-token-'));
    const token = 'prom-scrape-token-0123456789';
    const config = validateConfig(rampartConfigSchema(), {
      storage: { kind: 'embedded', dataDir: dir },
      server: { port: 0 },
      metrics: { token },
      deployments: [{ name: 'chat', targets: [{ provider: 'echo' }] }],
    });
    let guarded: RunningApp | undefined;
    try {
      guarded = await startApp(config, { logger: pino({ level: 'silent' }), defaultMetrics: false, bootstrapKey: false });
      const anon = await fetch(`${guarded.url}/metrics`);
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get('www-authenticate'), 'Bearer');
      assert.doesNotMatch(await anon.text(), /prom-scrape/);
      for (const wrong of ['wrong', `${token}x`, token.slice(0, -1), '']) {
        assert.equal((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${wrong}` } })).status, 401, wrong);
      }
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /rampart_requests_total/);
    } finally {
      await guarded?.close();
      await rm(dir, { recursive: true, force: true });
    }
    assert.throws(() => validateConfig(rampartConfigSchema(), { metrics: { token: 'short' }, deployments: [{ name: 'x', targets: [{ provider: 'echo' }] }] }), /metrics\.token/);
  });
});
