/**
 * Secrets in their providers' documented formats with random bodies (GitHub and npm tokens carry
 * a correct CRC32 checksum), and the placeholders and examples people paste instead.
 */
import { crc32 } from 'node:zlib';
import { BASE62, BASE64, BASE64URL, DIGITS, HEX, LOWER, UPPER, type Rng } from './random.ts';

function base62(n: number, width: number): string {
  let out = '';
  let v = n;
  do {
    out = BASE62[v % 62]! + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, '0');
}

const checksummed = (r: Rng, prefix: string) => {
  const body = r.chars(BASE62, 30);
  return `${prefix}${body}${base62(crc32(body) >>> 0, 6)}`;
};

/** One generator per secret category: [category, generator]. */
export const SECRET_GENERATORS: Record<string, (r: Rng) => string> = {
  'secret.aws_access_key': (r) => r.pick(['AKIA', 'AKIA', 'ASIA']) + r.chars(UPPER + '234567', 16),
  'secret.aws_secret_key': (r) => r.chars(BASE64, 40),
  'secret.gcp_api_key': (r) => `AIza${r.chars(BASE62 + '-_', 35)}`,
  'secret.gcp_service_account_key': (r) => r.chars(HEX, 40),
  'secret.azure_key': (r) => `${r.chars(BASE64, 86)}==`,
  'secret.github_token': (r) => (r.chance(0.8) ? checksummed(r, `gh${r.pick(['p', 'o', 'u', 's', 'r'])}_`) : `github_pat_${r.chars(BASE62, 22)}_${r.chars(BASE62, 59)}`),
  'secret.gitlab_token': (r) => `${r.pick(['glpat-', 'glpat-', 'gldt-', 'glrt-'])}${r.chars(BASE62 + '-_', 20)}`,
  'secret.npm_token': (r) => checksummed(r, 'npm_'),
  'secret.pypi_token': (r) => `pypi-AgEIcHlwaS5vcmc${r.chars(BASE64URL, r.int(60, 160))}`,
  'secret.openai_api_key': (r) =>
    r.chance(0.7) ? `sk-proj-${r.chars(BASE62 + '-_', 74)}T3BlbkFJ${r.chars(BASE62 + '-_', 74)}` : `sk-${r.chars(BASE62, 20)}T3BlbkFJ${r.chars(BASE62, 20)}`,
  'secret.anthropic_api_key': (r) => `sk-ant-api03-${r.chars(BASE62 + '-_', 93)}AA`,
  'secret.llm_api_key': (r) =>
    r.pick([
      () => `gsk_${r.chars(BASE62, 52)}`,
      () => `hf_${r.chars(UPPER + LOWER, 34)}`,
      () => `r8_${r.chars(BASE62, 37)}`,
      () => `pplx-${r.chars(BASE62, 48)}`,
      () => `xai-${r.chars(BASE62, 80)}`,
      () => `sk-or-v1-${r.chars(HEX, 64)}`,
      () => `sk-${r.chars(HEX, 32)}`,
    ])(),
  'secret.slack_token': (r) =>
    r.pick([
      () => `xoxb-${r.digits(12)}-${r.digits(13)}-${r.chars(BASE62, 24)}`,
      () => `xoxp-${r.digits(12)}-${r.digits(12)}-${r.digits(13)}-${r.chars(HEX, 32)}`,
      () => `xapp-1-A${r.chars(UPPER + DIGITS, 10)}-${r.digits(13)}-${r.chars(HEX, 64)}`,
    ])(),
  'secret.slack_webhook': (r) => `https://hooks.slack.com/services/T${r.chars(UPPER + DIGITS, 8)}/B${r.chars(UPPER + DIGITS, 10)}/${r.chars(BASE62, 24)}`,
  'secret.stripe_key': (r) => `${r.pick(['sk_live_', 'sk_live_', 'rk_live_', 'sk_test_'])}${r.chars(BASE62, r.pick([24, 99]))}`,
  'secret.twilio_key': (r) => `SK${r.chars(HEX, 32)}`,
  'secret.sendgrid_key': (r) => `SG.${r.chars(BASE64URL, 22)}.${r.chars(BASE64URL, 43)}`,
  'secret.jwt': (r) => jwt(r),
  'secret.private_key': (r) => pem(r),
};

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

export function jwt(r: Rng): string {
  const alg = r.pick(['HS256', 'RS256', 'ES256', 'HS512']);
  const header = r.chance(0.5) ? { alg, typ: 'JWT' } : { typ: 'JWT', alg, kid: r.chars(HEX, 16) };
  const now = 1_700_000_000 + r.int(0, 50_000_000);
  const payload = { sub: r.chars(HEX, 12), iss: r.pick(['https://auth.acme-corp.com/', 'https://login.northwind.io', 'rampart']), aud: r.pick(['api', 'web', 'gateway']), iat: now, exp: now + 3600, ...(r.chance(0.5) ? { email_verified: true, scope: 'read write' } : {}) };
  const sigLength = alg.startsWith('HS') ? 43 : alg === 'ES256' ? 86 : 342;
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${r.chars(BASE64URL, sigLength)}`;
}

export function pem(r: Rng, escaped = false): string {
  const label = r.pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
  const length = label.startsWith('EC') ? 160 : r.int(900, 1700);
  const lines = r.chars(BASE64, length).match(/.{1,64}/g)!;
  const nl = escaped ? '\\n' : '\n';
  return `-----BEGIN ${label}-----${nl}${lines.join(nl)}${nl}-----END ${label}-----`;
}

/** A developer-platform token with a documented prefix. */
export function platformToken(r: Rng): string {
  return r.pick([
    () => `dop_v1_${r.chars(HEX, 64)}`,
    () => `hvs.${r.chars(BASE62 + '_-', r.int(90, 100))}`,
    () => `dckr_pat_${r.chars(BASE62 + '_-', 27)}`,
    () => `PMAK-${r.chars(HEX, 24)}-${r.chars(HEX, 34)}`,
    () => `dapi${r.chars(HEX, 32)}`,
    () => `shpat_${r.chars(HEX, 32)}`,
    () => `${r.int(100000000, 9999999999)}:AA${r.chars(BASE62 + '_-', 33)}`,
    () => `sbp_${r.chars(HEX, 40)}`,
  ])();
}

/** A human-chosen password: words, digits, symbols. */
export function password(r: Rng): string {
  const words = ['Summer', 'tiger', 'Blue', 'moon', 'Kestrel', 'coffee', 'Falcon', 'river', 'Granite', 'maple', 'Orbit', 'pixel'];
  return r.pick([
    () => `${r.pick(words)}${r.pick(words)}${r.int(10, 9999)}${r.pick(['!', '#', '$', '?', ''])}`,
    () => r.chars(BASE62 + '!@#%^*_-+=', r.int(12, 24)),
    () => `${r.pick(words)}-${r.pick(words)}-${r.pick(words)}-${r.int(1, 99)}`,
    () => `${r.pick(words)}@${r.int(2019, 2025)}`,
  ])();
}

/** A high-entropy application secret with no provider prefix. */
export function genericSecret(r: Rng): string {
  return r.pick([() => r.chars(HEX, r.pick([32, 40, 64])), () => r.chars(BASE62, r.int(24, 48)), () => r.chars(BASE64, 44)])();
}

/** Values people write where a secret would go: not secrets. */
export function placeholder(r: Rng): string {
  return r.pick([
    'YOUR_API_KEY', 'your-api-key-here', '<token>', '<YOUR_TOKEN>', '${API_KEY}', '${{ secrets.GITHUB_TOKEN }}', '{{ vault_password }}',
    '********', 'xxxxxxxxxxxxxxxx', 'changeme', 'CHANGE_ME', 'example', 'dummy', 'test', 'placeholder', 'REDACTED', '<redacted>',
    'sk-xxxxxxxxxxxxxxxxxxxxxxxx', 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'xoxb-your-bot-token', 'password', 'secret', 'none', 'null', '$DB_PASSWORD', 'process.env.API_KEY',
    'sk-...', 'ghp_...', 'AIza...', 'sk-ant-api03-XXXXXXXX', 'npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'glpat-xxxxxxxxxxxxxxxxxxxx',
  ]);
}
