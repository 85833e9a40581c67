import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { azureOpenAiProvider } from '../../../src/gateway/providers/azure-openai/index.ts';
import type { ProviderTarget } from '../../../src/gateway/providers/provider.ts';
import { startMockUpstream, MOCK_TEXT, type MockUpstream } from '../../support/mock-upstream.ts';
import { callOpts, collect, failure, makeTarget } from './target-helper.ts';
import { sdkOver } from './sdk-harness.ts';

const KEY = 'azure-key-SECRET-0123456789';

describe('azure-openai provider', () => {
  let up: MockUpstream;
  let target: ProviderTarget;

  before(async () => {
    up = await startMockUpstream({ apiKey: KEY });
    target = makeTarget(azureOpenAiProvider, { endpoint: up.url, deployment: 'gpt4o-prod', apiKey: KEY });
  });
  after(async () => {
    await target.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  it('calls the deployment path with api-version and the api-key header', async () => {
    const r = await target.call('chat.completions', { model: 'd', messages: [{ role: 'user', content: 'hi' }] }, callOpts());
    const sent = up.requests[0]!;
    assert.equal(sent.url, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
    assert.equal(sent.headers['api-key'], KEY);
    assert.equal(sent.headers['authorization'], undefined);
    assert.deepEqual(r.usage, { promptTokens: 10, completionTokens: 5 });
  });

  it('streams with injected usage like OpenAI', async () => {
    const r = await target.call('chat.completions', { model: 'd', messages: [], stream: true }, callOpts({ stream: true }));
    const out = await collect(r.events);
    assert.deepEqual(up.requests[0]!.body?.['stream_options'], { include_usage: true });
    assert.equal(out.filter((e) => e.injected).length, 1);
    assert.deepEqual(r.streamUsage?.(), { promptTokens: 10, completionTokens: 5 });
  });

  it('embeds on the deployment path and answers the Responses API on the v1 path', async () => {
    const emb = await sdkOver(target).embeddings.create({ model: 'd', input: 'x' });
    assert.equal(emb.data[0]!.embedding.length, 8);
    const resp = await sdkOver(target).responses.create({ model: 'd', input: 'hi' });
    assert.equal(resp.output_text, MOCK_TEXT);
    assert.deepEqual(
      up.requests.map((r) => r.url),
      ['/openai/deployments/gpt4o-prod/embeddings?api-version=2024-10-21', '/openai/v1/responses'],
    );
    assert.equal(up.requests[1]!.body?.['model'], 'gpt4o-prod', 'the v1 API names the deployment in model');
  });

  it('sends a bearer token instead of a key when configured so', async () => {
    const bearer = makeTarget(azureOpenAiProvider, { endpoint: up.url, deployment: 'd1', apiVersion: '2025-04-01-preview', bearerToken: 'eyJ.token' });
    try {
      await failure(bearer.call('chat.completions', { messages: [] }, callOpts()));
      const sent = up.requests[0]!;
      assert.equal(sent.headers['authorization'], 'Bearer eyJ.token');
      assert.equal(sent.headers['api-key'], undefined);
      assert.equal(sent.url, '/openai/deployments/d1/chat/completions?api-version=2025-04-01-preview');
    } finally {
      await bearer.close();
    }
  });

  it('never passes on what Azure says about a rejected key', async () => {
    const wrong = makeTarget(azureOpenAiProvider, { endpoint: up.url, deployment: 'd', apiKey: 'azure-WRONG-fedcba' });
    try {
      const f = await failure(wrong.call('chat.completions', { messages: [] }, callOpts()));
      assert.equal(f.status, 502);
      assert.doesNotMatch(JSON.stringify(f.body) + inspect(f), /WRONG|fedcba/);
    } finally {
      await wrong.close();
    }
  });
});

describe('azure-openai options', () => {
  const parse = (o: Record<string, unknown>) => azureOpenAiProvider.optionsSchema.safeParse({ provider: 'azure-openai', endpoint: 'https://x.openai.azure.com', deployment: 'd', ...o });

  it('requires exactly one of apiKey and bearerToken', () => {
    assert.equal(parse({ apiKey: 'k' }).success, true);
    assert.equal(parse({ bearerToken: 't' }).success, true);
    assert.equal(parse({}).success, false);
    assert.equal(parse({ apiKey: 'k', bearerToken: 't' }).success, false);
  });

  it('refuses a deployment name or api-version that would change the URL', () => {
    assert.equal(parse({ apiKey: 'k', deployment: '../admin' }).success, false);
    assert.equal(parse({ apiKey: 'k', apiVersion: '2024-10-21&x=1' }).success, false);
    assert.equal(parse({ apiKey: 'k', endpoint: 'http://x.openai.azure.com' }).success, false);
  });
});
