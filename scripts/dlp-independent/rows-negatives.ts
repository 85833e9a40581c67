/** Hard negatives: look-alike numbers, versions, other dates, non-person names, ids, hashes, placeholders. */
import { r } from './markup.ts';
import { ALNUM, B64, badDni, badIban, breakLast, bytes, card, codiceFiscale, from, group, hex, int, nir, pad, pesel, uuid } from './values.ts';

export function negativeRows(): void {
  // ==== negatives: numbers that look like PII ===================================================

  const failingVisa = breakLast(card('4', 16));
  r('ticket', `Order #${group(failingVisa, [4], '-')} has shipped; expected delivery Friday.`);
  r('chat', `card number ${group(breakLast(card('5' + int(1, 5), 16)), [4], ' ')} ??? thats what the form shows but it says invalid`);
  r('log', `INFO order created id=7731002918846620 items=3 total=59.80`);
  r('ticket', `Card ending in 4242 was declined; the customer will try another card.`);
  r('email', `Your card **** **** **** 1881 will be charged on 1 July.`);
  r('email', `Reference: IBAN ${group(badIban('DE'), [4], ' ')} (as printed on the old invoice - the bank says it is wrong).`);
  r('code', `// placeholder for the form\nconst ibanPlaceholder = "DE00 0000 0000 0000 0000 00";`);
  r('ticket', `SSN on the form was 078-05-1120, which is the old Woolworth wallet sample, not the customer's.`);
  r('docs', `Format: AAA-GG-SSSS, e.g. 123-45-6789. Numbers starting with 000, 666 or 9xx are never issued.`);
  r('csv', `part_no,description,qty\n512-44-0981,hex bolt M8,200\n512-44-0982,hex nut M8,200`);
  r('docs', `HMRC uses QQ 12 34 56 C as an example National Insurance number; it is not valid.`);
  r('form', `BSN: 123456789 (test value, fails the 11-check)`);
  r('chat', `KvK-nummer 69599084, btw NL859736218B01`);
  r('form', `PESEL: ${breakLast(pesel(1985, 3, 14, false))} (odrzucony: błędna suma kontrolna)`);
  r('form', `Codice Fiscale: ${((c) => c.slice(0, 15) + (c[15] === 'A' ? 'B' : 'A'))(codiceFiscale('Bianchi', 'Marco', 1980, 1, 1, false, 'H501'))} — codice non valido`);
  r('form', `DNI: ${badDni()} (letra incorrecta)`);
  r('form', `NIR saisi: ${((n) => n.slice(0, 13) + pad((Number(n.slice(13)) + 1) % 100, 2))(nir())} - clé invalide`);
  r('email', `Partita IVA 12345678903, REA MI-1234567`);
  r('log', `2024-06-11T09:14:22.123456+02:00 job=nightly-export rows=1048576 duration_ms=93412`);
  r('log', `epoch_ms=1718035200123 seq=4400000000000001 shard=17`);
  r('prose', `See ISBN 978-3-16-148410-0 and ISBN-10 0-306-40615-2 for the reference editions.`);
  r('ticket', `Tracking: UPS 1Z999AA10123456784, FedEx 7712 3456 7890, DHL JD014600006281230704`);
  r('csv', `sku,ean,price\nA-1002,4006381333931,12.99\nA-1003,5901234123457,7.49`);
  r('email', `Invoice INV-2024-004417 dated 03/14/2024, PO 4500012345, due within 30 days.`);
  r('log', `ERROR 0x80070005 at build 2024.06.11.1532 (case 00123456)`);
  r('prose', `The office is at 52.5200, 13.4050 and the parcel weighs 1,234.56 kg.`);
  r('yaml', `aws:\n  account_id: "123456789012"\n  role_arn: arn:aws:iam::123456789012:role/deploy`);
  r('chat', `call 911 if it's an emergency, or 112 in europe`);
  r('prose', `The program ran from 2019-2024 and served 15 000 000 users across 1 200 sites.`);
  r('log', `ZIP 94043-1351 routed to hub 7 (zone 0041-22)`);
  r('csv', `id,discord_user_id\n1,123456789012345678\n2,987654321098765432`);

  r('log', `device registered imei=490154203237518 model=SM-G991B`);
  r('email', `Bank: Deutsche Bank, SWIFT/BIC DEUTDEFF500, branch 500`);
  r('prose', `Pi is roughly 3.14159265358979 and e is 2.71828182845904.`);
  r('json', `{"_id":"550e8400-e29b-41d4-a716-446655440000","subscriptionId":"${uuid()}","tenant":"${uuid()}"}`);
  r('log', `x-amzn-RequestId: ${uuid()}\nETag: "${hex(32)}"`);
  r('stacktrace', `Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n    at Object.<anonymous> (/app/src/index.js:123:45)`);
  r('log', `call_id=2024061100123 queue=support wait_s=312 agent=17`);
  r('chat', `born and raised in Leeds, been at the company since 1990, age 47 now`);
  r('code', `const cfg = JSON.parse(atob("eyJ2ZXJzaW9uIjoiMS4wIiwiZGVidWciOmZhbHNlfQ=="));`);

  // ==== negatives: IPs and versions ==============================================================

  r('log', `Listening on http://127.0.0.1:3000 and http://[::1]:3000 (bind 0.0.0.0 in prod)`);
  r('docs', `In the examples we use 192.0.2.10, 198.51.100.23, 203.0.113.7 and 2001:db8::42, which are reserved for documentation.`);
  r('chat', `we just shipped version 1.2.3.4 of the agent, please upgrade from 1.2.3.3`);
  r('log', `User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.6367.91 Safari/537.36`);
  r('docs', `SNMP OID 1.3.6.1.4.1.311.21.8 identifies the certificate template; see section 4.2.1.3.`);
  r('yaml', `network:\n  netmask: 255.255.255.0\n  gateway: 0.0.0.0`);
  r('log', `firmware 10.4.2.1 -> 10.4.3.0 upgrade complete on switch-core-2`);
  r('prose', `Semantic versions such as 2.14.0-rc.1+build.5521 and v12.4.0 sort by precedence.`);

  // ==== negatives: dates that are not birth dates =================================================

  r('email', `Your subscription renews on 03/14/1987... just kidding, on 14/03/2025. The contract started 2019-07-02.`);
  r('prose', `The Macintosh SE was released on 2 March 1987, a year after the Plus.`);
  r('chat', `card expires 09/27 and the meeting is 2024-07-02 10:00 CET`);
  r('log', `Last-Modified: Tue, 14 Mar 2023 08:12:44 GMT`);

  // ==== negatives: names, addresses, emails ======================================================

  r('prose', `Morgan Stanley and Johnson & Johnson both reported earnings; Ford Motor shares fell.`);
  r('prose', `Take the Jubilee line to Victoria Station, then walk past the Baker Street museum.`);
  r('prose', `We bought a John Deere tractor and moved the Apache Kafka cluster to Hugging Face Spaces, don't ask.`);
  r('code', `const fullName = \`\${user.firstName} \${user.lastName}\`;\naddress.street = form.get('street');`);
  r('docs', `Enter your street address, city and postcode in the form below (e.g. "Main Street").`);
  r('shell', `git clone git@github.com:acme/api.git && npm i -D @types/node@20.11.5`);
  r('code', `@media (max-width: 600px) { .logo { background-image: url("logo@2x.png"); } }`);
  r('docs', `Replace user@example.com with your address; name@domain.tld is only a placeholder.`);
  r('shell', `docker pull nginx@sha256:${hex(64)}`);
  r('file', `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${from(B64, 43)} deploy@build-host`);

  // ==== negatives: identifiers and hashes ========================================================

  r('log', `request_id=${uuid()} trace_id=${hex(32)} span_id=${hex(16)}`);
  r('log', `commit ${hex(40)}\nMerge: ${hex(7)} ${hex(7)}\n\n    Fix flaky test`);
  r('file', `sha256  ${hex(64)}  rampart-1.4.2.tar.gz\nmd5     ${hex(32)}  rampart-1.4.2.tar.gz`);
  r('json', `"node_modules/lodash": {\n  "version": "4.17.21",\n  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",\n  "integrity": "sha512-${bytes(64).toString('base64')}"\n}`);
  r('json', `{"etag":"W/\\"${hex(32)}\\"","Content-Length":"5120"}`);
  r('html', `<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAA${from(B64, 120)}=" alt="logo">`);
  r('file', `${['-----BEGIN CERTIFICATE-----', group(`MIIDdzCCAl+gAwIBAgIE${bytes(300).toString('base64')}`, [64], '\n'), '-----END CERTIFICATE-----'].join('\n')}`);
  r('file', `-----BEGIN PUBLIC KEY-----\n${group(`MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${bytes(250).toString('base64')}`, [64], '\n')}\n-----END PUBLIC KEY-----`);
  r('json', `{"client_id":"48213379012-k2m9d0aq7r3e6v1h5b8c4n0j2p6s9t1u.apps.googleusercontent.com","token_type":"Bearer","expires_in":3599}`);
  r('env', `STRIPE_PUBLISHABLE_KEY=pk_live_${from(ALNUM, 99)}`);
  r('log', `k8s: pod api-7d9f8b6c5-x2lqz uid=${uuid()} image=registry.acme.io/api:4.2.1`);

  // ==== negatives: placeholders and documentation credentials ====================================

  r('env', `OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`);
  r('yaml', `llm:\n  provider: openai\n  api_key: YOUR_API_KEY`);
  r('shell', `curl -H "Authorization: Bearer <token>" https://api.example.com/v1/items`);
  r('docs', `# AWS docs example\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`);
  r('docs', `Set GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx in your shell profile.`);
  r('docs', `export ANTHROPIC_API_KEY=sk-ant-api03-...  # paste your key here`);
  r('docs', `SLACK_BOT_TOKEN=xoxb-your-bot-token\nSLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`);
  r('docs', `PRIVATE-TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx`);
  r('docs', `GOOGLE_API_KEY=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`);
  r('yaml', `env:\n  DEPLOY_KEY: \${{ secrets.DEPLOY_KEY }}\n  NPM_TOKEN: \${{ secrets.NPM_TOKEN }}`);
  r('docs', `Your key looks like sk-proj-**** and is shown only once; store it in a vault.`);
  r('env', `STRIPE_SECRET_KEY=sk_live_REPLACE_ME\nSENDGRID_API_KEY=SG.xxxxxxxx.yyyyyyyy`);
  r('docs', `To authenticate, pass the JWT as "Authorization: Bearer eyJhbGciOi..." (truncated here).`);
  r('docs', `-----BEGIN RSA PRIVATE KEY-----\n<paste your key here>\n-----END RSA PRIVATE KEY-----`);
  r('env', `DATABASE_URL=postgres://user:password@localhost:5432/mydb`);
  r('yaml', `mongo:\n  uri: mongodb://\${MONGO_USER}:\${MONGO_PASS}@mongo:27017/app\ncache:\n  url: redis://redis:6379/0`);
  r('docs', `The token has the form npm_<36 characters>; PyPI tokens start with pypi- followed by a macaroon.`);
  r('env', `TWILIO_ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nTWILIO_AUTH_TOKEN=your_auth_token`);
  r('docs', `Hugging Face tokens (hf_...) and Groq keys (gsk_...) go in the secrets manager, never in code.`);

  // ==== negatives: password and secret words without a secret ===================================

  r('yaml', `database:\n  user: billing\n  password: \${DB_PASSWORD}\n  password_min_length: 12`);
  r('form', `Password: ********\nConfirm password: ********`);
  r('email', `Forgot your password? Click the link below to reset it. This link expires in 30 minutes.`);
  r('env', `PASSWORD_FILE=/run/secrets/db_password\nAUTH_MODE=passwordless`);
  r('docs', `password: <your-password>  # never commit the real one`);
  r('code', `if (!user.password || user.password.length < 12) throw new Error('password too short');`);
  r('json', `{"token_type":"bearer","expires_in":3600,"scope":"read"}`);
  r('prose', `Use a task-runner like make; the sk-learn typo in the README should be scikit-learn.`);
  r('log', `secret rotated: name=stripe-webhook version=7 (value not logged)`);
  r('docs', `Generate a key with: openssl rand -hex 32`);

  r('docs', `Set GITHUB_TOKEN to something like ghp_1234567890abcdefghijklmnopqrstuvwxyz (example only).`);
  r('yaml', `env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-secret\n        key: password`);
  r('log', `auth failed for user=svc-report password=*** (redacted) attempts=3`);
  r('env', `AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX\nAWS_SECRET_ACCESS_KEY=<secret>`);
  r('log', `Bearer token expired at 2024-06-11T10:00:00Z; refreshing`);
  r('code', `// sha1 of the empty string\nconst EMPTY_SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';`);
  r('docs', `Register the component with GUID {3F2504E0-4F89-11D3-9A0C-0305E82C3301}.`);
  r('code', `const color = '#1e90ff'; const key = 'user_settings_v2'; const token = req.headers['x-csrf-token'];`);
  r('docs', `Stripe test cards and keys are listed in the dashboard; never paste a live key (sk_live_...) into a ticket.`);
  r('log', `Python 3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0] on linux`);
  r('docs', `Connection string format: Server=<host>;Database=<db>;User Id=<user>;Password=<password>;`);
}
