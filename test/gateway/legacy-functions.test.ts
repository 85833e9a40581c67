/**
 * The legacy chat `functions` / `function_call` API through the gateway, with the official openai
 * client: it is tool use under another name, so the tool policy, an agent's allowedTools and the
 * output guard treat it exactly as `tools` / `tool_calls`, plain and streamed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { baseTestConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

// A token of the custom rule below: random-looking, so its pieces cannot occur by chance.
const TOKEN = 'tok_q7x2m9k4p1z8w3n6r5t0y2v4';
const WEATHER = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const EXFIL = { name: 'exfil', description: 'anything', parameters: { type: 'object' } };

let gw: TestGateway;
let client: OpenAI;
let adminKey: string;

before(async () => {
  gw = await startTestGateway((url, dir) => {
    const targets = [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }];
    const tokenRule = { id: 'custom-rules', options: { rules: [{ name: 'token', patterns: ['tok_[a-z0-9]{24}'] }] } };
    return {
      ...baseTestConfig(dir),
      toolPolicies: {
        strict: { tools: [{ name: 'get_weather' }], unlistedTools: 'block', onViolation: 'block' },
        lenient: { tools: [{ name: 'get_weather' }], unlistedTools: 'strip', onViolation: 'strip' },
      },
      guard: {
        defaultProfile: 'dlp',
        profiles: {
          dlp: { detectors: [tokenRule], actions: { 'custom.token': 'mask' }, stream: { holdBackChars: 64, contextChars: 16 }, timeBudgetMs: 10_000 },
          strict: { detectors: [tokenRule], actions: { 'custom.token': 'mask' }, toolPolicy: 'strict', timeBudgetMs: 10_000 },
          lenient: { detectors: [], toolPolicy: 'lenient' },
        },
      },
      deployments: [
        { name: 'chat', targets },
        { name: 'strict', guard: 'strict', targets },
        { name: 'lenient', guard: 'lenient', targets },
      ],
    };
  });
  client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: await gw.key(['user']), maxRetries: 0 });
  adminKey = await gw.key(['admin']);
});
after(() => gw?.close());

const event = (v: unknown) => `data: ${JSON.stringify(v)}\n\n`;
const chunk = (delta: unknown, finish: string | null = null) => event({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });

/** The upstream answers once with `function_call`, plain or streamed (arguments in small pieces). */
function answerWithFunctionCall(name: string, args: string, stream: boolean): void {
  if (!stream) {
    const message = { role: 'assistant', content: null, function_call: { name, arguments: args } };
    gw.upstream.script({ times: 1, reply: { status: 200, body: { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message, logprobs: null, finish_reason: 'function_call' }] } } });
    return;
  }
  const body = [
    chunk({ role: 'assistant', content: null, function_call: { name, arguments: '' } }),
    ...(args.match(/.{1,5}/gs) ?? []).map((piece) => chunk({ function_call: { arguments: piece } })),
    chunk({}, 'function_call'),
    'data: [DONE]\n\n',
  ].join('');
  gw.upstream.script({ times: 1, reply: { status: 200, body, headers: { 'content-type': 'text/event-stream' } } });
}

async function streamedFunctionCall(model: string): Promise<{ name: string; args: string; finish: string | null }> {
  const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'go' }], functions: [WEATHER] });
  let name = '';
  let args = '';
  let finish: string | null = null;
  for await (const c of stream) {
    const fc = c.choices[0]?.delta?.function_call;
    name += fc?.name ?? '';
    args += fc?.arguments ?? '';
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  return { name, args, finish };
}

describe('legacy functions as tool definitions', () => {
  it('refuses functions the tool policy does not list, before the upstream sees them', async () => {
    const before = gw.upstream.requests.length;
    await assert.rejects(client.chat.completions.create({ model: 'strict', messages: [{ role: 'user', content: 'go' }], functions: [WEATHER, EXFIL] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 400);
      assert.equal(e.code, 'RAMPART_TOOL_NOT_ALLOWED');
      assert.equal(e.param, 'functions');
      assert.match(e.message, /"exfil"/);
      return true;
    });
    assert.equal(gw.upstream.requests.length, before);
  });

  it('strips unlisted functions, and a function_call that chose one', async () => {
    await client.chat.completions.create({ model: 'lenient', messages: [{ role: 'user', content: 'go' }], functions: [WEATHER, EXFIL], function_call: { name: 'exfil' } });
    const sent = gw.upstream.requests.at(-1)!.body!;
    assert.deepEqual((sent.functions as { name: string }[]).map((f) => f.name), ['get_weather']);
    assert.equal(sent.function_call, undefined);
  });

  it('holds a registered agent to its allowedTools for functions too', async () => {
    const { plaintext } = await gw.app.identity.keys.create({ name: 'agent', principalId: 'agent:tooler', principalKind: 'agent', roles: ['user'], createdBy: 'test' });
    const reg = await fetch(`${gw.app.url}/admin/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tooler', binding: { type: 'principal', principalId: 'agent:tooler' }, allowedDeployments: ['*'], allowedTools: ['get_weather'] }),
    });
    assert.equal(reg.status, 201);
    const agent = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: plaintext.reveal(), maxRetries: 0 });
    await agent.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'go' }], functions: [WEATHER] });
    await assert.rejects(agent.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'go' }], functions: [WEATHER, EXFIL] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 403);
      assert.equal(e.code, 'RAMPART_AGENT_TOOL_NOT_ALLOWED');
      assert.equal(e.param, 'functions[1]');
      return true;
    });
  });
});

describe('function_call in answers as a tool call', () => {
  const args = JSON.stringify({ note: 'send it' });

  it('refuses a plain answer that calls a function the policy does not list', async () => {
    answerWithFunctionCall('exfil', args, false);
    await assert.rejects(client.chat.completions.create({ model: 'strict', messages: [{ role: 'user', content: 'go' }], functions: [WEATHER] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 502);
      assert.equal(e.code, 'RAMPART_TOOL_CALL_BLOCKED');
      return true;
    });
  });

  it('never streams a call to a function the policy does not list', async () => {
    answerWithFunctionCall('exfil', args, true);
    let got = '';
    await assert.rejects(
      (async () => {
        const r = await streamedFunctionCall('strict');
        got = r.name + r.args;
      })(),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError, String(e));
        assert.equal(e.code, 'RAMPART_TOOL_CALL_BLOCKED');
        return true;
      },
    );
    assert.equal(got, '');
  });

  it('strips such a call and finishes with stop, plain and streamed', async () => {
    answerWithFunctionCall('exfil', args, false);
    const plain = await client.chat.completions.create({ model: 'lenient', messages: [{ role: 'user', content: 'go' }], functions: [WEATHER] });
    assert.equal(plain.choices[0]!.message.function_call, undefined);
    assert.equal(plain.choices[0]!.finish_reason, 'stop');
    answerWithFunctionCall('exfil', args, true);
    const streamed = await streamedFunctionCall('lenient');
    assert.deepEqual(streamed, { name: '', args: '', finish: 'stop' });
    answerWithFunctionCall('get_weather', '{"city":"Paris"}', true);
    assert.deepEqual(await streamedFunctionCall('lenient'), { name: 'get_weather', args: '{"city":"Paris"}', finish: 'function_call' });
  });

  it('masks secrets in function_call arguments, plain and streamed, with and without a tool policy', async () => {
    const secret = JSON.stringify({ city: `Paris ${TOKEN}` });
    const masked = secret.replace(TOKEN, '****');
    for (const model of ['chat', 'strict']) {
      answerWithFunctionCall('get_weather', secret, false);
      const plain = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'go' }], functions: [WEATHER] });
      assert.equal(plain.choices[0]!.message.function_call?.arguments, masked, model);
      answerWithFunctionCall('get_weather', secret, true);
      assert.deepEqual(await streamedFunctionCall(model), { name: 'get_weather', args: masked, finish: 'function_call' }, model);
    }
  });
});
