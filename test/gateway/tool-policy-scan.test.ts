/**
 * The tool policy's DLP check of tool-call arguments: it fails closed when a detector fails (the
 * policy's scan_failed), and it judges the arguments the client will receive, with pseudonyms
 * restored, not the placeholders the model saw.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import type { DetectorDescriptor } from '../../src/guard/types.ts';
import { baseTestConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

const EMAIL = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}';
const failing = (id: string, detect: () => never | Promise<never[]>): DetectorDescriptor<never> =>
  ({ id, version: '0', description: id, channels: ['user', 'document', 'system', 'output'], categories: ['secret.x'], optionsSchema: z.strictObject({}), create: () => detect }) as unknown as DetectorDescriptor<never>;

let gw: TestGateway;
let key: string;

before(async () => {
  gw = await startTestGateway(
    (url, dir) => {
      const target = [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }];
      return {
        ...baseTestConfig(dir),
        toolPolicies: { p: { tools: [{ name: 'send' }], onViolation: 'block', unlistedTools: 'block', scanCategories: ['secret', 'custom.email'] } },
        guard: {
          defaultProfile: 'pseudo',
          profiles: {
            broken: { detectors: [{ id: 'test-broken', channels: ['output'] }], output: false, onError: 'block', toolPolicy: 'p' },
            slow: { detectors: [{ id: 'test-slow', channels: ['output'] }], output: false, onError: 'block', timeBudgetMs: 50, toolPolicy: 'p' },
            pseudo: { detectors: [{ id: 'custom-rules', options: { rules: [{ name: 'email', patterns: [EMAIL] }] } }], actions: { 'custom.email': 'pseudonymize' }, toolPolicy: 'p' },
          },
        },
        deployments: ['broken', 'slow', 'pseudo'].map((name) => ({ name, guard: name, targets: target, retry: { attempts: 0 } })),
      };
    },
    {
      detectors: [
        failing('test-broken', () => {
          throw new Error('boom');
        }),
        failing('test-slow', () => new Promise((r) => setTimeout(() => r([]), 300))),
      ],
    },
  );
  key = await gw.key(['user']);
});
after(() => gw?.close());

const ask = async (model: string, content = 'hi') => {
  const r = await fetch(`${gw.app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  return { status: r.status, text: await r.text() };
};

describe('tool policy: the DLP check of arguments', () => {
  for (const model of ['broken', 'slow']) {
    it(`fails closed when its detector ${model === 'broken' ? 'throws' : 'runs out of time'}`, async () => {
      gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { toolCalls: [{ name: 'send', arguments: '{"to":"x"}' }] } });
      const r = await ask(model);
      assert.equal(r.status, 502, r.text);
      assert.match(r.text, /RAMPART_TOOL_CALL_BLOCKED/);
      assert.doesNotMatch(r.text, /"send"/, 'the call is not delivered');
    });
  }

  it('judges the restored value, not the placeholder the model saw', async () => {
    // The user's address is pseudonymized on the way in; the model hands the placeholder to a tool.
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { toolCalls: [{ name: 'send', arguments: '{"to":"<EMAIL_1>"}' }] } });
    const viaPlaceholder = await ask('pseudo', 'mail alice@corp.example');
    assert.equal(viaPlaceholder.status, 502, viaPlaceholder.text);
    assert.doesNotMatch(viaPlaceholder.text, /alice@corp/);
    // The model writes an address itself: pseudonymized by the output scan, then restored: still judged.
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { toolCalls: [{ name: 'send', arguments: '{"to":"bob@corp.example"}' }] } });
    const literal = await ask('pseudo');
    assert.equal(literal.status, 502, literal.text);
    // Without an address the call goes through.
    gw.upstream.script({ path: '/v1/chat/completions', times: 1, reply: { toolCalls: [{ name: 'send', arguments: '{"to":"ops"}' }] } });
    const clean = await ask('pseudo');
    assert.equal(clean.status, 200, clean.text);
    assert.match(clean.text, /"send"/);
  });
});
