/**
 * Rewriting through the gateway, with the official openai client: a value the profile masks never
 * reaches the model or the audit excerpts, whether another finding overlaps it, it is the whole
 * message, or the text around it changes under Unicode folding; a streamed answer that is exactly
 * the value is masked too; and placeholder-shaped text the caller wrote comes back as written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { baseTestConfig, startTestGateway, type TestGateway } from '../support/gateway.ts';

const TOKEN = 'tok_q7x2m9k4p1z8w3n6r5t0y2v4';
/** Any recognisable piece of TOKEN after its `tok_` prefix. */
const TOKEN_PART = /q7x2m9|k4p1z8|w3n6r5|t0y2v4/;
const EMAIL = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}';

let gw: TestGateway;
let client: OpenAI;
let admin: string;

before(async () => {
  gw = await startTestGateway((url, dir) => ({
    ...baseTestConfig(dir),
    guard: {
      defaultProfile: 'tokens',
      profiles: {
        tokens: {
          detectors: [
            {
              id: 'custom-rules',
              options: {
                rules: [
                  { name: 'token', patterns: ['tok_[a-z0-9]{24}'] },
                  { name: 'acct', patterns: ['account [a-z0-9_]+'] },
                  { name: 'partial', patterns: ['key=tok_q7x2m9'] },
                ],
              },
            },
          ],
          actions: { 'custom.token': 'mask', 'custom.acct': 'annotate', 'custom.partial': 'annotate' },
          // The smallest window: a streamed token is released as a window that is exactly the token.
          stream: { holdBackChars: 16, contextChars: 16 },
          timeBudgetMs: 10_000,
        },
        pseudonyms: {
          detectors: [{ id: 'custom-rules', options: { rules: [{ name: 'email', patterns: [EMAIL] }] } }],
          actions: { 'custom.email': 'pseudonymize' },
          timeBudgetMs: 10_000,
        },
      },
    },
    deployments: [
      { name: 'chat', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
      { name: 'pseudo', guard: 'pseudonyms', targets: [{ provider: 'openai', baseUrl: `${url}/v1`, model: 'm' }] },
    ],
  }));
  client = new OpenAI({ baseURL: `${gw.app.url}/v1`, apiKey: await gw.key(['user']), maxRetries: 0 });
  admin = await gw.key(['admin']);
});
after(() => gw?.close());

/** What the model was sent as the user message of the last request. */
const sentToModel = () => (gw.upstream.requests.at(-1)!.body!.messages as { content: string }[])[0]!.content;

async function tokenExcerpts(): Promise<{ action: string; excerpt: string }[]> {
  await gw.app.detections.flush();
  const res = await fetch(`${gw.app.url}/admin/v1/detections?category=custom.&limit=100`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: { action: string; excerpt: string }[] }).data;
}

describe('rewriting through the gateway', () => {
  it('masks a value that an annotate finding contains or overlaps, in the request and in the excerpts', async () => {
    for (const content of [`see account ${TOKEN} ok`, `use key=${TOKEN} ok`]) {
      gw.upstream.reset();
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content }] });
      assert.equal(sentToModel(), content.replace(TOKEN, '****'));
    }
    for (const d of await tokenExcerpts()) assert.doesNotMatch(d.excerpt, TOKEN_PART, `${d.action}: ${d.excerpt}`);
  });

  it('masks a value that is the whole message, or sits next to text that changes under NFKC', async () => {
    for (const [content, expected] of [
      [TOKEN, '****'],
      [`ﬁle: ${TOKEN}`, 'ﬁle: ****'],
      [`ﬁ ${TOKEN} cafe\u0301`, `ﬁ **** cafe\u0301`],
    ]) {
      gw.upstream.reset();
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: content! }] });
      assert.equal(sentToModel(), expected, content);
    }
    for (const d of await tokenExcerpts()) assert.doesNotMatch(d.excerpt, TOKEN_PART, `${d.action}: ${d.excerpt}`);
  });

  it('masks a streamed answer that is exactly the value', async () => {
    for (const pieces of [[TOKEN], [`${TOKEN} is your key.`], [TOKEN.slice(0, 10), TOKEN.slice(10)]]) {
      gw.upstream.reset();
      gw.upstream.script({ times: 1, reply: { text: pieces.join(''), pieces } });
      const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'my key?' }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      assert.equal(text, pieces.join('').replace(TOKEN, '****'), JSON.stringify(pieces));
    }
  });

  it("gives the caller's own placeholder-shaped text back unchanged", async () => {
    const content = 'In the mail-merge template keep the token <EMAIL_1> as is; my address is bob@corp.example.';
    gw.upstream.reset();
    gw.upstream.script({ times: 1, reply: (req) => ({ text: `Template says: ${(req.body!.messages as { content: string }[])[0]!.content}` }) });
    const answer = await client.chat.completions.create({ model: 'pseudo', messages: [{ role: 'user', content }] });
    assert.equal(sentToModel(), 'In the mail-merge template keep the token <EMAIL_1> as is; my address is <EMAIL_2>.');
    assert.equal(answer.choices[0]!.message.content, `Template says: ${content}`);

    gw.upstream.reset();
    gw.upstream.script({ times: 1, reply: (req) => ({ text: `Template says: ${(req.body!.messages as { content: string }[])[0]!.content}`, chunks: 9 }) });
    const stream = await client.chat.completions.create({ model: 'pseudo', stream: true, messages: [{ role: 'user', content }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.equal(text, `Template says: ${content}`);
  });
});
