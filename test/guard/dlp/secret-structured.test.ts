import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionStringDetector } from '../../../src/guard/detectors/secret-connection-string.ts';
import { jwtDetector } from '../../../src/guard/detectors/secret-jwt.ts';
import { privateKeyDetector } from '../../../src/guard/detectors/secret-private-key.ts';
import { detector, found, type Case } from './support.ts';

function table(name: string, detect: ReturnType<typeof detector>, cases: Case[]) {
  describe(name, () => {
    for (const c of cases) {
      it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text.slice(0, 60))}${c.why ? ` (${c.why})` : ''}`, () => {
        assert.deepEqual(found(detect(c.text), c.text), c.expect);
      });
    }
  });
}

const BODY = Array.from({ length: 12 }, (_, i) => `MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC${String.fromCharCode(65 + i)}7xq2Lk9Pz4Rt`).join('\n');
const PEM = `-----BEGIN PRIVATE KEY-----\n${BODY}\n-----END PRIVATE KEY-----`;
const RSA = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n${BODY}\n-----END RSA PRIVATE KEY-----`;
const ESCAPED = PEM.replace(/\n/g, '\\n');

table('secret-private-key', detector(privateKeyDetector), [
  { text: `key:\n${PEM}\nthanks`, expect: [PEM] },
  { text: `legacy ${RSA}`, expect: [RSA], why: 'encrypted legacy PEM with headers' },
  { text: `{"private_key": "${ESCAPED}\\n"}`, expect: [ESCAPED], why: 'escaped inside JSON' },
  { text: `truncated:\n-----BEGIN OPENSSH PRIVATE KEY-----\n${BODY}`, expect: [`-----BEGIN OPENSSH PRIVATE KEY-----\n${BODY}`], why: 'cut short' },
  { text: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----', expect: [], why: 'elided body' },
  { text: '-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----', expect: [] },
  { text: `-----BEGIN PUBLIC KEY-----\n${BODY}\n-----END PUBLIC KEY-----`, expect: [], why: 'a public key' },
  { text: `-----BEGIN CERTIFICATE-----\n${BODY}\n-----END CERTIFICATE-----`, expect: [] },
]);

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const SIG = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const JWT = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: '42', exp: 1900000000 })}.${SIG}`;
const NONE = `${b64({ alg: 'none' })}.${b64({ sub: '42' })}.`;

table('secret-jwt', detector(jwtDetector), [
  { text: `Authorization: Bearer ${JWT}`, expect: [JWT] },
  { text: `cookie session=${JWT}; Path=/`, expect: [JWT] },
  { text: `unsigned ${NONE} token`, expect: [NONE] },
  { text: `${b64({ typ: 'JWT' })}.${b64({ sub: '42' })}.${SIG}`, expect: [], why: 'header has no alg' },
  { text: `eyJub3QganNvbg.eyJzdWIiOiI0MiJ9.${SIG}`, expect: [], why: 'header is not JSON' },
  { text: `${b64({ alg: 'HS256' })}.${b64({ sub: 1 })}.abc`, expect: [], why: 'signature too short for a signed token' },
  {
    text: 'jwt.io default: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    expect: [],
    why: 'documented example',
  },
]);

table('secret-connection-string', detector(connectionStringDetector), [
  { text: 'DATABASE_URL=postgres://app:Vq8#rT2!zL@db.internal:5432/app', expect: ['Vq8#rT2!zL'], why: "raw '#' in a pasted password" },
  { text: 'mongodb+srv://admin:k2Jf9sLq7Tx@cluster0.ab1cd.mongodb.net/db', expect: ['k2Jf9sLq7Tx'] },
  { text: 'redis://default:Zq3xV8mK1pLr@cache:6379/0', expect: ['Zq3xV8mK1pLr'] },
  { text: 'REDIS_URL: redis://:Cbo5UVi9VJiX2bF7@cache-01.prod.acme.io:6379/0', expect: ['Cbo5UVi9VJiX2bF7'], why: 'password only, empty user' },
  { text: 'amqps://worker:s3cr3t-Pa55w0rd@mq.acme.io/', expect: ['s3cr3t-Pa55w0rd'] },
  { text: 'https://deploy:Vh7dq2PzX9@git.acme.io/repo.git', expect: ['Vh7dq2PzX9'] },
  { text: 'postgres://user:${DB_PASSWORD}@db:5432/app', expect: [], why: 'template variable' },
  { text: 'redis://:password@localhost:6379', expect: [], why: 'no user, word password' },
  { text: 'amqp://guest:guest@localhost:5672/', expect: [], why: 'password equals user (RabbitMQ default)' },
  { text: 'postgres://user:****@db/app and mysql://root:<password>@h/db', expect: [] },
  { text: 'https://user@example.com/path and http://host:8080/x', expect: [], why: 'no password' },
]);
