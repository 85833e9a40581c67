import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { cloudKeysDetector } from '../../../src/guard/detectors/secret-cloud-keys.ts';
import { llmKeysDetector } from '../../../src/guard/detectors/secret-llm-keys.ts';
import { platformTokensDetector } from '../../../src/guard/detectors/secret-platform-tokens.ts';
import { saasTokensDetector } from '../../../src/guard/detectors/secret-saas-tokens.ts';
import { vcsTokensDetector } from '../../../src/guard/detectors/secret-vcs-tokens.ts';
import { detector } from './support.ts';

/** GitHub's checksum, written here independently of the detector: CRC32 of the body, base62. */
function githubStyle(prefix: string, body: string): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let n = crc32(body) >>> 0;
  let tail = '';
  while (n > 0) {
    tail = alphabet[n % 62] + tail;
    n = Math.floor(n / 62);
  }
  return prefix + body + tail.padStart(6, '0');
}

const RANDOM_30 = 'Zq3xV8mK1pLr7TnW2sYc9HbD4fGjQe';
const GH = githubStyle('ghp_', RANDOM_30);
const NPM = githubStyle('npm_', RANDOM_30);
const B64_86 = 'Qm9vdHN0cmFwIHRoZSBhenVyZSBzdG9yYWdlIGtleSB3aXRoIGVub3VnaCByYW5kb20gYnl0ZXMgdG8gcGFzcy';

interface TokenCase {
  readonly text: string;
  /** [category, matched text] pairs expected. */
  readonly expect: readonly (readonly [string, string])[];
  readonly why?: string;
}

const detectors = [cloudKeysDetector, vcsTokensDetector, saasTokensDetector, llmKeysDetector, platformTokensDetector].map((d) => detector(d));
const scan = (text: string) => detectors.flatMap((d) => d(text)).map((f) => [f.category, text.slice(f.start, f.end)] as const);

const CASES: TokenCase[] = [
  { text: `aws key AKIA2QW3ER4TY5UI6OP7 leaked`, expect: [['secret.aws_access_key', 'AKIA2QW3ER4TY5UI6OP7']] },
  { text: `AWS_ACCESS_KEY_ID=ASIAZXCVBNMASDFGHJKL\nAWS_SECRET_ACCESS_KEY=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`, expect: [['secret.aws_access_key', 'ASIAZXCVBNMASDFGHJKL'], ['secret.aws_secret_key', 'k9Jd8/Lw2Q+e7RtY5uI3oP1aS4dF6gH0jK2lZ8xC']] },
  { text: 'commit 3f786850e387550fdab836ed7e6dc881de23001b on aws', expect: [], why: 'a git SHA is not an AWS secret key' },
  { text: 'key=AIzaSyD3x9Kq2Lm5Np7Rt0Vw4Yz6Bc8Df1Gh3Jk', expect: [['secret.gcp_api_key', 'AIzaSyD3x9Kq2Lm5Np7Rt0Vw4Yz6Bc8Df1Gh3Jk']] },
  { text: `AccountName=acme;AccountKey=${B64_86}==;EndpointSuffix=core.windows.net`, expect: [['secret.azure_key', `${B64_86}==`]] },
  { text: `token ${GH} works`, expect: [['secret.github_token', GH]] },
  { text: `//registry.npmjs.org/:_authToken=${NPM}`, expect: [['secret.npm_token', NPM]] },
  { text: 'GITLAB_TOKEN=glpat-Xk29fLq0ZpW7mNc4Vb8T', expect: [['secret.gitlab_token', 'glpat-Xk29fLq0ZpW7mNc4Vb8T']] },
  { text: 'SLACK_BOT_TOKEN=xoxb-293847561029-4820193847562-Qw7ErT2yUi9OpAs4DfGh6JkL', expect: [['secret.slack_token', 'xoxb-293847561029-4820193847562-Qw7ErT2yUi9OpAs4DfGh6JkL']] },
  { text: 'post to https://hooks.slack.com/services/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', expect: [['secret.slack_webhook', 'https://hooks.slack.com/services/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']] },
  { text: "stripe.api_key = 'sk_live_51HqLyjWDarjtT1zdp7dcQ9mXv2'", expect: [['secret.stripe_key', 'sk_live_51HqLyjWDarjtT1zdp7dcQ9mXv2']] },
  { text: 'twilio key SK9f2c4e7a1b3d5f60e8c2a4b6d8f01357', expect: [['secret.twilio_key', 'SK9f2c4e7a1b3d5f60e8c2a4b6d8f01357']] },
  { text: 'SG.Zq3xV8mK1pLr7TnW2sYc9H.bD4fGjQeZq3xV8mK1pLr7TnW2sYc9HbD4fGjQeZq3xV', expect: [['secret.sendgrid_key', 'SG.Zq3xV8mK1pLr7TnW2sYc9H.bD4fGjQeZq3xV8mK1pLr7TnW2sYc9HbD4fGjQeZq3xV']] },
  { text: `OPENAI_API_KEY=sk-proj-${'Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7nP9'}T3BlbkFJ${'qR1sT3uV5wX7yZ9aB1cD3eF5gH7iJ9kL1mN3oP5'}`, expect: [['secret.openai_api_key', `sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7nP9T3BlbkFJqR1sT3uV5wX7yZ9aB1cD3eF5gH7iJ9kL1mN3oP5`]] },
  { text: `x-api-key: sk-ant-api03-${'Zq3xV8mK1pLr7TnW2sYc9HbD4fGjQe'.repeat(3)}AA`, expect: [['secret.anthropic_api_key', `sk-ant-api03-${'Zq3xV8mK1pLr7TnW2sYc9HbD4fGjQe'.repeat(3)}AA`]] },
  { text: 'GROQ_API_KEY=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', expect: [['secret.llm_api_key', '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']] },
  { text: 'HF_TOKEN=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', expect: [['secret.llm_api_key', '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']] },
  { text: 'client_secret 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', expect: [['secret.gcp_oauth_secret', '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']] },
  { text: 'AZURE_CLIENT_SECRET=Zq38Q~xV8mK1pLr7TnW2sYc9HbD4fGjQe.Zq3x', expect: [['secret.azure_key', 'Zq38Q~xV8mK1pLr7TnW2sYc9HbD4fGjQe.Zq3x']] },
  { text: 'DIGITALOCEAN_TOKEN=dop_v1_9f2c4e7a1b3d5f60e8c2a4b6d8f013579f2c4e7a1b3d5f60e8c2a4b6d8f01357', expect: [['secret.platform_token', 'dop_v1_9f2c4e7a1b3d5f60e8c2a4b6d8f013579f2c4e7a1b3d5f60e8c2a4b6d8f01357']] },
  { text: 'bot 7123456789:AAZq3xV8mK1pLr7TnW2sYc9HbD4fGjQeZq3 ready', expect: [['secret.platform_token', '7123456789:AAZq3xV8mK1pLr7TnW2sYc9HbD4fGjQeZq3']] },
  // Placeholders and documented examples.
  { text: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE', expect: [], why: 'AWS documentation example' },
  { text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', expect: [], why: 'AWS documentation example' },
  { text: 'OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', expect: [], why: 'a mask' },
  { text: 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', expect: [] },
  { text: 'token: ghp_YOUR_TOKEN_HERE and sk-... and xoxb-your-token', expect: [] },
  { text: "Stripe docs: stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'", expect: [], why: 'Stripe documentation example' },
  { text: 'webhook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', expect: [], why: 'Slack documentation placeholder' },
  { text: 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa and AKIAAAAAAAAAAAAAAAAA', expect: [], why: 'repeated characters' },
  { text: 'the words skeleton-key and task-force', expect: [] },
  { text: 'Set GITHUB_TOKEN to something like ghp_1234567890abcdefghijklmnopqrstuvwxyz', expect: [], why: 'filler counting up' },
  { text: 'OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz1234567890ABCDEFGHIJKLMN', expect: [], why: 'filler counting up' },
  { text: 'curl -H "Ocp-Apim-Subscription-Key: 4d4d395b14b6cadbbbaf480e7b6b80ac" https://westeurope.api.cognitive.microsoft.com/', expect: [['secret.azure_key', '4d4d395b14b6cadbbbaf480e7b6b80ac']] },
  { text: '//registry.npmjs.org/:_authToken=a9340143-fae9-4d6d-9a09-03f08d9cf56e', expect: [['secret.npm_token', 'a9340143-fae9-4d6d-9a09-03f08d9cf56e']], why: 'legacy UUID npm token in an .npmrc' },
  { text: 'request_id=a9340143-fae9-4d6d-9a09-03f08d9cf56e', expect: [], why: 'a UUID elsewhere is an id' },
  { text: 'MISTRAL_API_KEY=QY602LX4izZV5InaA35KHfjj9BnAzt5u', expect: [['secret.llm_api_key', 'QY602LX4izZV5InaA35KHfjj9BnAzt5u']], why: 'unprefixed key named by its provider variable' },
  { text: 'MISTRAL_API_KEY=your-mistral-api-key-here', expect: [] },
];

describe('secret provider tokens', () => {
  for (const c of CASES) {
    it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text.slice(0, 70))}${c.why ? ` (${c.why})` : ''}`, () => {
      assert.deepEqual(scan(c.text), c.expect);
    });
  }

  it('is surer of a GitHub token whose CRC32 checksum verifies', () => {
    const detect = detector(vcsTokensDetector);
    const forged = GH.slice(0, -1) + (GH.endsWith('A') ? 'B' : 'A');
    const [good] = detect(`t ${GH}`);
    const [bad] = detect(`t ${forged}`);
    assert.equal(good!.score, 0.99);
    assert.ok(bad!.score < good!.score);
    assert.match(good!.explanation, /valid CRC32 checksum/);
  });

  it('runs only the rules a profile lists', () => {
    const onlyNpm = detector(vcsTokensDetector, { rules: ['npm_token'] });
    assert.deepEqual(onlyNpm(`${GH} ${NPM}`).map((f) => f.rule), ['npm_token']);
    assert.throws(() => vcsTokensDetector.optionsSchema.parse({ rules: ['no_such_rule'] }));
  });
});
