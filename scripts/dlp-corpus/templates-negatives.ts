/**
 * Hard negatives: text full of things that look like PII or secrets and are not. Random digit
 * runs that fail Luhn, UUIDs, git SHAs, versions (including four-part ones that parse as IPv4),
 * order and ticket numbers, timestamps, hashes, SSN/IBAN shapes with wrong rules or check digits,
 * placeholders and documented example keys, secret-named keys that hold metadata. Some rows also
 * carry one real entity, so negatives are tested next to positives.
 */
import * as v from './pii-values.ts';
import { BASE62, BASE64, HEX, type Rng } from './random.ts';
import { row, type Template } from './row.ts';
import { placeholder } from './secret-values.ts';

const uuid = (r: Rng) => `${r.chars(HEX, 8)}-${r.chars(HEX, 4)}-4${r.chars(HEX, 3)}-${r.pick(['8', '9', 'a', 'b'])}${r.chars(HEX, 3)}-${r.chars(HEX, 12)}`;
const semver = (r: Rng) => `${r.int(0, 20)}.${r.int(0, 40)}.${r.int(0, 99)}`;
const timestamp = (r: Rng) => `${v.anyDate(r)}T${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}.${r.digits(3)}Z`;

export const NEGATIVE_TEMPLATES: readonly Template[] = [
  (r) => row('log', [`${timestamp(r)} INFO request_id=${uuid(r)} commit=${r.chars(HEX, 40)} duration=${r.int(1, 999)}ms status=200`]),
  (r) => row('chat', [`Order #${r.digits(3)}-${r.digits(7)}-${r.digits(7)} was shipped; tracking number ${v.nonLuhnDigits(r, 16)}. Ticket ${r.int(10000, 99999)}.`]),
  (r) => row('chat', [`upgrade from ${semver(r)} to ${semver(r)} fixed it, see release notes for version ${r.int(1, 12)}.${r.int(0, 9)}.${r.int(0, 30)}.${r.int(1, 9999)}`]),
  (r) => row('log', [`Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${r.int(100, 130)}.0.${r.int(1000, 6999)}.${r.int(10, 250)} Safari/537.36`]),
  (r) => row('code', [`sha256: ${r.chars(HEX, 64)}\nmd5: ${r.chars(HEX, 32)}\nintegrity: sha512-${r.chars(BASE64, 86)}==`]),
  (r) => row('chat', [`the build number is ${v.nonLuhnDigits(r)} and the invoice total was ${r.int(100, 99999)}.${r.digits(2)} EUR, paid on ${v.anyDate(r)}`]),
  (r) => row('config', [`OPENAI_API_KEY=${placeholder(r)}\nGITHUB_TOKEN=${placeholder(r)}\npassword: ${placeholder(r)}\napi_key = "${placeholder(r)}"`]),
  () => row('code', [`# Example from the AWS docs\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`]),
  () => row('code', [`const apiKey = process.env.OPENAI_API_KEY;\nconst password = config.db.password;\nconst token = await getToken();\nif (!secret) throw new Error("missing secret");`]),
  (r) => row('config', [`max_tokens: ${r.int(16, 8192)}\ntoken_type: bearer\npassword_policy: strong\npassword_min_length: ${r.int(8, 16)}\nsecret_name: prod-db-credentials\npublic_key: ${r.chars(BASE64, 44)}`]),
  (r) => row('chat', [`SSN-like but never issued: ${v.invalidSsn(r)}; part number ${r.digits(3)}-${r.digits(2)}-${r.digits(4)}-${r.digits(2)}`]),
  (r) => row('chat', [`IBAN with a typo ${v.formatIban(r, v.badIban(r))} got rejected by the bank, what's wrong?`]),
  () => row('chat', [`QQ123456C is the example NI number HMRC uses in guidance, and TN 31 12 58 F is a temporary one`]),
  (r) => row('log', [`mac=${r.chars(HEX, 2)}:${r.chars(HEX, 2)}:${r.chars(HEX, 2)}:${r.chars(HEX, 2)}:${r.chars(HEX, 2)}:${r.chars(HEX, 2)} uptime=${r.int(1, 99)}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')} netmask 255.255.255.0 gw loopback 127.0.0.1`]),
  (r) => row('code', [`std::vector<int> v; auto it = std::find(v.begin(), v.end(), ${r.int(0, 99)}); // see section ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)}`]),
  (r) => row('chat', [`pi is 3.${r.digits(15)} and e is 2.${r.digits(12)}; coordinates ${r.int(-89, 89)}.${r.digits(6)}, ${r.int(-179, 179)}.${r.digits(6)}`]),
  (r) => row('log', [`epoch=${r.int(1600000000, 1760000000)}${r.digits(3)} pid=${r.int(100, 65000)} port=${r.int(1024, 65535)} seq=${r.digits(12)}`]),
  (r) => row('chat', [`ISBN 978-${r.digits(1)}-${r.digits(3)}-${r.digits(5)}-${r.digits(1)} and EAN ${r.digits(13)}, SKU ${r.chars(BASE62, 10).toUpperCase()}`]),
  (r) => row('code', [`-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n-----BEGIN PUBLIC KEY-----\n${r.chars(BASE64, 64)}\n${r.chars(BASE64, 64)}\n-----END PUBLIC KEY-----`]),
  () => row('chat', [`format: eyJhbGciOi...  (a JWT starts with eyJ) and keys look like sk-... or ghp_...; never paste real ones`]),
  () => row('config', [`DATABASE_URL=postgres://user:\${DB_PASSWORD}@db:5432/app\nREDIS_URL=redis://:password@localhost:6379\nAMQP_URL=amqp://guest:guest@localhost:5672/`]),
  (r) => row('chat', [`dates: ${v.anyDate(r)}, ${r.int(1, 28)}/${r.int(1, 12)}/${r.int(2000, 2025)}, meeting at ${r.int(9, 17)}:${r.pick(['00', '30'])}, deadline ${v.anyDate(r)}`]),
  (r) => row('chat', [`call me maybe, my lucky numbers are ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} and the room is ${r.int(100, 999)}`]),
  (r) => row('code', [`id: ${uuid(r)}\netag: "${r.chars(HEX, 32)}"\nresourceVersion: "${r.digits(9)}"\nimage: registry.acme-corp.com/api@sha256:${r.chars(HEX, 64)}`]),
  (r) => row('chat', [`use the test card 4242 4242 4242 424${r.int(0, 9) === 2 ? 1 : 0}? no wait that fails Luhn; try ${v.nonLuhnDigits(r, 16).replace(/(\d{4})(?=\d)/g, '$1 ')}`]),
  (r) => row('log', [`GET /v1/files/${r.chars(BASE62, 24)}?page_token=${r.chars(BASE62, 16)} 200 icon@2x.png user@localhost git@github.com:acme/app.git`]),
  () => row('config', ['tokens_used: 1532\ntoken_count: 512\napi_key: None\npassword: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\nsecret: ""\npassword: "{{ db_password }}"']),
  () => row('chat', ['Set OPENAI_API_KEY to your key, e.g. export OPENAI_API_KEY=sk-... and never commit it. GitHub docs show ghp_16C7e42F292c6912E7710c838347Ae178B4a as a sample.']),
  (r) => row('chat', [`masked card **** **** **** ${r.digits(4)}, masked SSN XXX-XX-${r.digits(4)}, masked IBAN DE** **** **** **** **${r.digits(2)} ${r.digits(2)}`]),
  (r) => row('log', [`lockfile: "integrity": "sha512-${r.chars(BASE64, 86)}==", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.${r.int(0, 3)}.0.tgz"`]),
  (r) => row('code', [`assert.equal(hash("abc"), "${r.chars(HEX, 64)}");\nconst id = "${r.chars(HEX, 24)}"; // mongo ObjectId\nconst nonce = ${r.int(100000, 999999)};`]),
  // National-id shapes with a wrong check symbol, or valid ones with no name near them.
  (r) => row('chat', [`the Aadhaar ${v.inAadhaar(r).replace(/\d$/, (d) => String((Number(d) + 1) % 10))} was rejected twice, and NHS ${v.gbNhs(r).replace(/\d$/, (d) => String((Number(d) + 1) % 10))} is not on file`]),
  (r) => row('chat', [`order ${v.inAadhaar(r)} shipped on ${v.anyDate(r)}; the courier's reference is ${v.caSin(r)}`]),
  (r) => row('log', [`job=${v.caSin(r).replace(/ /g, '')} batch=${v.auTfn(r)} ref ${v.gbNhs(r)} seq ${v.brCpf(r)} span ${r.digits(12)}`]),
  // Negatives beside one real entity: the entity must be found, the rest must not.
  (r) => row('chat', [`commit ${r.chars(HEX, 40)} broke the form for `, ['pii.email', v.email(r)], `, build ${semver(r)}, request ${uuid(r)}`]),
  (r) => row('log', [`${timestamp(r)} user_id=${r.digits(9)} order=${v.nonLuhnDigits(r)} client_ip=`, ['pii.ip_address', v.publicIpv4(r)], ` version=${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 99)}`]),
  (r) => row('config', [`api_key: ${placeholder(r)}\nbackup_api_key: "`, ['secret.generic', r.chars(BASE62, 32)], `"\nmax_tokens: ${r.int(100, 4000)}`]),
];
