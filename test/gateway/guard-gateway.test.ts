/**
 * The guard engine wired into the gateway, driven with the official openai client: blocking with
 * a coded error that does not echo the text, pseudonymization round trips (plain and streamed,
 * placeholders split across chunks), fail-closed on a broken detector, detections in the admin
 * API and the audit log, and /v1/guard/analyze.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { z } from 'zod';
import type { DetectorDescriptor } from '../../src/guard/types.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const broken: DetectorDescriptor<Record<string, never>> = {
  id: 'test-broken',
  version: '0',
  description: 'always throws',
  channels: ['user', 'document', 'system', 'output'],
  categories: ['test'],
  optionsSchema: z.strictObject({}),
  create: () => () => {
    throw new Error('boom');
  },
};

const EMAIL = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}';
let gw: TestGateway;
let client: OpenAI;
let admin: string;

before(async () => {
  gw = await startTestGateway(
    (url, dir) => ({
      storage: { kind: 'embedded', dataDir: dir },
      server: { port: 0 },
      log: { level: 'silent' },
      audit: { flushIntervalMs: 20 },
      roles: { user: { deployments: ['*'], admin: ['guard:analyze'] } },
      guard: {
        defaultProfile: 'test',
        profiles: {
          test: {
            detectors: [{ id: 'custom-rules', options: { rules: [{ name: 'codename', keywords: ['project nightingale'] }, { name: 'email', patterns: [EMAIL] }] } }],
            actions: { 'custom.codename': 'block', 'custom.email': 'pseudonymize' },
          },
          masking: { detectors: [{ id: 'custom-rules', options: { rules: [{ name: 'email', patterns: [EMAIL] }] } }], actions: { custom: 'mask' } },
          fragile: { detectors: [{ id: 'test-broken' }] },
          fragile_open: { detectors: [{ id: 'test-broken' }], onError: 'allow' },
          judged: {
            detectors: [
              { id: 'llm-judge', options: { deployment: 'llama-guard', format: 'llama-guard' }, channels: ['user'] },
              { id: 'custom-rules', options: { rules: [{ name: 'slur', keywords: ['zorblax'], category: 'content.hate' }] } },
            ],
            actions: { content: 'block' },
          },
        },
      },
      deployments: [
        { name: 'chat', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
        { name: 'masked', guard: 'masking', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
        { name: 'fragile', guard: 'fragile', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
        { name: 'fragile-open', guard: 'fragile_open', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
        { name: 'unguarded', guard: 'off', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
        { name: 'judged', guard: 'judged', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
        { name: 'llama-guard', guard: 'off', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'llama-guard-3-8b' }] },
      ],
    }),
    { detectors: [broken as DetectorDescriptor<never>] },
  );
  client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: await gw.key(['user']), maxRetries: 0 });
  admin = await gw.key(['admin']);
});
after(() => gw?.close());

const ask = (model: string, content: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content }] });

describe('guard in the gateway', () => {
  it('blocks a prompt with a clear error naming profile and category, without echoing the text or calling the model', async () => {
    gw.upstream.reset();
    await assert.rejects(ask('chat', 'status of Project Nightingale?'), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.equal(e.code, 'RAMPART_GUARD_BLOCKED');
      assert.match(e.message, /profile 'test' blocked category 'custom\.codename'/);
      assert.ok(!/nightingale/i.test(e.message));
      return true;
    });
    assert.equal(gw.upstream.requests.length, 0);
  });

  it('scans tool results and documents too', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'chat',
        messages: [
          { role: 'user', content: 'summarise the tool output' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'fetch', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'internal memo about project nightingale' },
        ],
      }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /messages\[2\]\.content/.test(e.message),
    );
  });

  it('pseudonymizes: the model sees placeholders, the caller gets the real values back', async () => {
    gw.upstream.reset();
    gw.upstream.script({ times: 1, reply: (req) => ({ text: `I will write to ${JSON.stringify(req.body?.messages).match(/<EMAIL_\d>/g)?.join(' and ')}.` }) });
    const answer = await ask('chat', 'email alice@corp.example and bob@corp.example, then alice@corp.example again');
    const sent = JSON.stringify(gw.upstream.requests[0]!.body!.messages);
    assert.ok(!sent.includes('@corp.example'), 'the provider never sees the addresses');
    assert.match(sent, /<EMAIL_1> and <EMAIL_2>, then <EMAIL_1> again/);
    assert.match(answer.choices[0]!.message.content!, /alice@corp\.example/);
    assert.ok(!answer.choices[0]!.message.content!.includes('<EMAIL_'));
  });

  it('restores pseudonyms in streams even when a placeholder is split across chunks', async () => {
    for (const chunks of [3, 7, 19, 40]) {
      gw.upstream.reset();
      gw.upstream.script({ times: 1, reply: { text: 'Reply sent to <EMAIL_1> and <EMAIL_2>, done.', chunks } });
      const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'mail ann@a.example and cy@c.example' }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      assert.equal(text, 'Reply sent to ann@a.example and cy@c.example, done.', `chunks=${chunks}`);
    }
  });

  it('masks per the deployment profile', async () => {
    gw.upstream.reset();
    await ask('masked', 'contact zed@z.example');
    assert.match(JSON.stringify(gw.upstream.requests[0]!.body!.messages), /contact \*\*\*\*/);
  });

  it('fails closed when a detector breaks, and open only where the profile allows it', async () => {
    await assert.rejects(ask('fragile', 'hello'), (e: unknown) => e instanceof OpenAI.BadRequestError && /detector 'test-broken' failed \(fail closed\)/.test(e.message));
    const ok = await ask('fragile-open', 'hello');
    assert.ok(ok.choices[0]?.message.content);
  });

  it('asks a Llama Guard deployment for content categories and blocks what it flags', async () => {
    gw.upstream.reset();
    gw.upstream.script({ times: 1, reply: (req) => ({ text: req.body?.model === 'llama-guard-3-8b' ? 'unsafe\nS10' : 'ok' }) });
    await assert.rejects(ask('judged', 'some hateful request'), (e: unknown) => e instanceof OpenAI.BadRequestError && /content\.hate/.test(e.message) && /llm-judge/.test(e.message));
    assert.equal(gw.upstream.requests.length, 1, 'only the judge was called');
    gw.upstream.reset();
    gw.upstream.script({ reply: (req) => ({ text: req.body?.model === 'llama-guard-3-8b' ? 'safe' : 'fine answer' }) });
    assert.equal((await ask('judged', 'a kind request')).choices[0]?.message.content, 'fine answer');
    await assert.rejects(ask('judged', 'they are all zorblax'), (e: unknown) => e instanceof OpenAI.BadRequestError && /content\.hate.*custom-rules/.test(e.message));
    gw.upstream.reset();
  });

  it('fails closed when the judge model is down', async () => {
    gw.upstream.reset();
    gw.upstream.script({ times: 3, reply: { status: 503 } });
    await assert.rejects(ask('judged', 'anything'), (e: unknown) => e instanceof OpenAI.BadRequestError && /llm-judge' (failed|timed out) \(fail closed\)/.test(e.message));
    gw.upstream.reset();
  });

  it('lets everything through on a deployment with guard: off', async () => {
    const ok = await ask('unguarded', 'project nightingale');
    assert.ok(ok.choices[0]?.message.content);
  });

  it('stores detections, queryable in the admin API, and notes the verdict in the audit event', async () => {
    await ask('chat', 'hi carol@corp.example').catch(() => undefined);
    await gw.app.detections.flush();
    await gw.app.audit.flush();
    const res = await fetch(`${gw.app.url}/admin/v1/detections?category=custom.email&limit=5`, { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { data: { category: string; action: string; excerpt: string; detector: string; principalId: string; deployment: string }[] };
    assert.ok(page.data.length >= 1);
    const d = page.data[0]!;
    assert.equal(d.action, 'pseudonymize');
    assert.equal(d.detector, 'custom-rules');
    assert.equal(d.deployment, 'chat');
    assert.ok(!d.excerpt.includes('@corp.example'), 'excerpts are redacted');
    const blocked = await fetch(`${gw.app.url}/admin/v1/detections?action=block&category=custom.codename`, { headers: { authorization: `Bearer ${admin}` } });
    assert.ok(((await blocked.json()) as { data: unknown[] }).data.length >= 1);
    for (const q of ['from=99999999999999999999', 'to=9223372036854775808', 'from=yesterday']) {
      const bad = await fetch(`${gw.app.url}/admin/v1/detections?${q}`, { headers: { authorization: `Bearer ${admin}` } });
      assert.equal(bad.status, 400, q);
    }
    const audit = await gw.app.store.audit.list({ decision: 'deny', limit: 20 });
    const guarded = audit.items.find((e) => e.code === 'RAMPART_GUARD_BLOCKED');
    assert.ok(guarded);
    assert.equal((guarded.details?.guardInput as { blocked: boolean }).blocked, true);
  });

  it('answers /v1/guard/analyze without calling a model', async () => {
    gw.upstream.reset();
    const res = await fetch(`${gw.app.url}/v1/guard/analyze`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'write to dan@d.example', documents: ['a memo on Project Nightingale'] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { verdict: string; findings: { category: string; segment: string }[]; blockedBy: { category: string } };
    assert.equal(body.verdict, 'block');
    assert.equal(body.blockedBy.category, 'custom.codename');
    assert.deepEqual(body.findings.map((f) => f.segment).sort(), ['documents[0]', 'text']);
    assert.equal(gw.upstream.requests.length, 0);
    const masked = await fetch(`${gw.app.url}/v1/guard/analyze`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ profile: 'masking', text: 'write to dan@d.example' }),
    });
    assert.deepEqual(((await masked.json()) as { redacted: { text: string } }).redacted.text, 'write to ****');
  });

  it('refuses /v1/guard/analyze without the guard:analyze permission or with a bad profile', async () => {
    const noPerm = await gw.key(['admin']);
    const r1 = await fetch(`${gw.app.url}/v1/guard/analyze`, { method: 'POST', headers: { authorization: `Bearer ${noPerm}`, 'content-type': 'application/json' }, body: '{"text":"x"}' });
    assert.equal(r1.status, 200, 'admin has every permission, guard:analyze included');
    const userOnly = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: await gw.key(['auditor']), maxRetries: 0 });
    const r2 = await fetch(`${gw.app.url}/v1/guard/analyze`, { method: 'POST', headers: { authorization: `Bearer ${userOnly.apiKey}`, 'content-type': 'application/json' }, body: '{"text":"x"}' });
    assert.equal(r2.status, 403);
    const r3 = await fetch(`${gw.app.url}/v1/guard/analyze`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' }, body: '{"text":"x","profile":"ghost"}' });
    assert.equal(r3.status, 400);
    const r4 = await fetch(`${gw.app.url}/v1/guard/analyze`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(r4.status, 400);
  });
});
