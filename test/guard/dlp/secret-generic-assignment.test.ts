import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { genericAssignmentDetector } from '../../../src/guard/detectors/secret-generic-assignment.ts';
import { detector } from './support.ts';

const detect = detector(genericAssignmentDetector);
const scan = (text: string) => detect(text).map((f) => [f.category, text.slice(f.start, f.end)] as const);

interface AssignmentCase {
  readonly text: string;
  readonly expect: readonly (readonly [string, string])[];
  readonly why?: string;
}

const CASES: AssignmentCase[] = [
  { text: 'password = "Kestrel!Maple42"', expect: [['secret.password', 'Kestrel!Maple42']] },
  { text: 'DB_PASSWORD=Tr0ub4dor&3\nDB_USER=app', expect: [['secret.password', 'Tr0ub4dor']], why: "'&' ends an unquoted value (query strings)" },
  { text: "  password: 'hunter2!x'", expect: [['secret.password', 'hunter2!x']] },
  { text: '{"client_secret": "q8Xv2LmZ0rT5yK9wP3sD7fH1jN4bC6gE"}', expect: [['secret.generic', 'q8Xv2LmZ0rT5yK9wP3sD7fH1jN4bC6gE']] },
  { text: 'api_key: 9f2c4e7a1b3d5f60e8c2a4b6d8f01357', expect: [['secret.generic', '9f2c4e7a1b3d5f60e8c2a4b6d8f01357']] },
  { text: 'export SERVICE_TOKEN=Zq3xV8mK1pLr7TnW2sYc9HbD4f', expect: [['secret.generic', 'Zq3xV8mK1pLr7TnW2sYc9HbD4f']] },
  { text: '$ psql --password Vq8rT2zLk9', expect: [['secret.password', 'Vq8rT2zLk9']] },
  { text: 'my password is Falcon-River-77 please remember it', expect: [['secret.password', 'Falcon-River-77']] },
  { text: 'Authorization: Bearer Zq3xV8mK1pLr7TnW2sYc9HbD4fGjQe', expect: [['secret.generic', 'Zq3xV8mK1pLr7TnW2sYc9HbD4fGjQe']] },
  { text: `Authorization: Basic ${Buffer.from('admin:Kestrel!Maple42').toString('base64')}`, expect: [['secret.password', Buffer.from('admin:Kestrel!Maple42').toString('base64')]] },
  { text: '$ curl -u deploy:Vq8rT2zLk9 https://ci.acme.io/api', expect: [['secret.password', 'Vq8rT2zLk9']] },
  { text: 'mysql -h db.internal -u root -pRootPass!2023 shop < dump.sql', expect: [['secret.password', 'RootPass!2023']], why: 'password glued to -p' },
  { text: 'mysqldump -u root -p shop > dump.sql', expect: [], why: '-p alone prompts for the password' },
  { text: 'the wifi password for the offsite is Sunflower_Lake77.', expect: [['secret.password', 'Sunflower_Lake77']], why: 'what the password is for, between the key and "is"' },
  { text: 'the password for this account is required', expect: [], why: 'a word, not a password' },
  { text: 'POSTGRES_PASSWORD==ew6YPh-9BqCq\nDB_PASSWORD=!GOijkM%qJE5i', expect: [['secret.password', '=ew6YPh-9BqCq'], ['secret.password', '!GOijkM%qJE5i']], why: 'values may start with = or !' },
  // Not secrets.
  { text: 'password: ${DB_PASSWORD}\napi_key = os.environ["API_KEY"]', expect: [], why: 'references' },
  { text: 'const password = getPassword();\nconst token = config.auth.token;', expect: [], why: 'code, not literals' },
  { text: 'password = user_password', expect: [], why: 'an identifier' },
  { text: 'password: changeme\npassword: "password"\ntoken: <token>\nsecret: ****', expect: [], why: 'placeholders' },
  { text: 'api_key: YOUR_API_KEY\nAPI_KEY=your-api-key-here\ntoken=xxxxxxxx', expect: [] },
  { text: 'max_tokens: 4096\ntoken_type: bearer\npassword_policy: strong-and-long\npublic_key: Zq3xV8mK1pLr7TnW2sYc9HbD4f', expect: [], why: 'metadata keys' },
  { text: 'next_page_token=Zq3xV8mK1pLr7TnW2sYc9HbD4f', expect: [], why: 'pagination cursor' },
  { text: 'secret_name: prod-db-credentials', expect: [] },
  { text: 'token = "short"', expect: [], why: 'too short for a token' },
  { text: 'api_key: my-application-key', expect: [], why: 'words, low entropy' },
  { text: 'if password == "Kestrel!Maple42":', expect: [], why: 'a comparison is not an assignment' },
  { text: 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', expect: [] },
  { text: 'export ANTHROPIC_API_KEY=sk-ant-api03-...  # paste your key here', expect: [], why: 'an elided value, not its prefix' },
  { text: 'my password is Falcon-River-77... or so', expect: [['secret.password', 'Falcon-River-77']], why: 'prose may trail off' },
  { text: 'the bypass: Tr0ub4dor', expect: [], why: 'bypass is not pass' },
  { text: 'password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256', expect: [], why: 'a YAML tag' },
  { text: 'curl -u $USER:$TOKEN https://x', expect: [], why: 'shell variables' },
];

describe('secret-generic-assignment', () => {
  for (const c of CASES) {
    it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text.slice(0, 60))}${c.why ? ` (${c.why})` : ''}`, () => {
      assert.deepEqual(scan(c.text), c.expect);
    });
  }

  it('leaves provider tokens, JWTs and keys to their own recognizers', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    assert.deepEqual(scan(`OPENAI_API_KEY=sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7nP9T3BlbkFJqR1sT3uV5w\nSESSION_TOKEN=${jwt}`), []);
    assert.deepEqual(scan(`AccountKey=${'Qm9vdHN0cmFwIHRoZSBhenVyZSBzdG9yYWdlIGtleSB3aXRoIGVub3VnaCByYW5kb20gYnl0ZXMgdG8gcGFzcy'}==`), []);
  });

  it('takes its entropy floor from the profile', () => {
    const strict = detector(genericAssignmentDetector, { minEntropy: 4.5 });
    assert.deepEqual(strict('api_key: 9f2c4e7a1b3d5f60e8c2a4b6d8f01357'), []);
  });
});
