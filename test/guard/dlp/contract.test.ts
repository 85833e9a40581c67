/**
 * What every DLP detector promises, checked on all of them at once: a well-formed descriptor,
 * options that default, findings inside the text with a declared category, explanations that never
 * repeat the matched value, and the same answer for the same text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DLP_DETECTORS } from '../../../src/guard/detectors/dlp-index.ts';
import type { Finding } from '../../../src/guard/types.ts';

/** One text holding something for every detector; written for this test. */
const SAMPLE = [
  'From: Amara Okafor <amara.okafor@contoso.org>, call (212) 736-5000 or +44 20 7946 0321.',
  'Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, SSN 536-22-8741, NINO AB123456C.',
  'DNI 12345678Z, CF RSSMRA85T10A562S, BSN 123456782, PESEL 44051401359, NIR 2 55 08 14 168 025 38.',
  'Login from 81.2.69.160 and 2001:db8:85a3::8a2e:370:7334. DOB: 1985-03-12.',
  'Ship to 1600 Pennsylvania Avenue NW, Washington, DC 20500. Dear Kofi Mensah,',
  'AWS_ACCESS_KEY_ID=AKIA2QW3ER4TY5UI6OP7 aws_secret_access_key=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',
  'GITLAB_TOKEN=glpat-Xk29fLq0ZpW7mNc4Vb8T SLACK=xoxb-293847561029-4820193847562-Qw7ErT2yUi9OpAs4DfGh6JkL',
  'HF_TOKEN=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',
  'DATABASE_URL=postgres://app:Vq8rT2zLk9@db.internal/app password="Kestrel!Maple42"',
  'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  `-----BEGIN PRIVATE KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7xq2Lk9Pz4Rt\n'.repeat(6)}-----END PRIVATE KEY-----`,
].join('\n');

const built = DLP_DETECTORS.map((d) => ({ d, detect: d.create(d.optionsSchema.parse({}), { assetsDir: 'assets' }) }));
const run = (detect: (typeof built)[number]['detect'], text: string) => detect({ text, channel: 'user' }) as readonly Finding[];

describe('DLP detector contract', () => {
  it('has unique ids, semantic versions, and categories under pii. or secret.', () => {
    const ids = DLP_DETECTORS.map((d) => d.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const d of DLP_DETECTORS) {
      assert.match(d.id, /^(pii|secret)-[a-z0-9-]+$/);
      assert.match(d.version, /^\d+\.\d+\.\d+$/);
      assert.ok(d.categories.length > 0 && d.categories.every((c) => /^(pii|secret)\.[a-z0-9_]+$/.test(c)), d.id);
      assert.deepEqual([...d.channels].sort(), ['document', 'output', 'system', 'user']);
    }
  });

  it('parses empty options to defaults and refuses unknown options', () => {
    for (const d of DLP_DETECTORS) {
      assert.doesNotThrow(() => d.optionsSchema.parse({}), d.id);
      assert.throws(() => d.optionsSchema.parse({ noSuchOption: true }), d.id);
      assert.throws(() => d.optionsSchema.parse({ minScore: 2 }), d.id);
    }
  });

  it('does not mutate the options it is given', () => {
    for (const d of DLP_DETECTORS) {
      const options = d.optionsSchema.parse({});
      const before = JSON.stringify(options);
      run(d.create(options, { assetsDir: 'assets' }), SAMPLE);
      assert.equal(JSON.stringify(options), before, d.id);
    }
  });

  it('reports every kind of value in the sample, each from a declared category', () => {
    const categories = new Set<string>();
    for (const { d, detect } of built) {
      for (const f of run(detect, SAMPLE)) {
        assert.ok(d.categories.includes(f.category), `${d.id} reported undeclared ${f.category}`);
        assert.equal(f.detector, d.id);
        assert.equal(f.detectorVersion, d.version);
        assert.ok(f.start >= 0 && f.start < f.end && f.end <= SAMPLE.length, `${d.id} span out of bounds`);
        assert.ok(f.score >= 0.5 && f.score <= 1, `${d.id} score ${f.score}`);
        assert.ok(f.rule.length > 0 && f.explanation.length > 0);
        categories.add(f.category);
      }
    }
    for (const c of ['pii.email', 'pii.phone', 'pii.payment_card', 'pii.iban', 'pii.us_ssn', 'pii.uk_nino', 'pii.es_nif', 'pii.it_fiscal_code', 'pii.nl_bsn', 'pii.pl_pesel', 'pii.fr_nir', 'pii.ip_address', 'pii.date_of_birth', 'pii.postal_address', 'pii.person_name', 'secret.aws_access_key', 'secret.aws_secret_key', 'secret.gitlab_token', 'secret.slack_token', 'secret.llm_api_key', 'secret.connection_string', 'secret.password', 'secret.jwt', 'secret.private_key']) {
      assert.ok(categories.has(c), `nothing reported for ${c}`);
    }
  });

  it('never puts the matched value, or a long piece of it, in the explanation', () => {
    for (const { d, detect } of built) {
      for (const f of run(detect, SAMPLE)) {
        const value = SAMPLE.slice(f.start, f.end);
        assert.ok(!f.explanation.includes(value), `${d.id} echoes the value`);
        for (let i = 0; i + 6 <= value.length; i++) {
          const piece = value.slice(i, i + 6);
          if (/^[A-Za-z ]+$/.test(piece)) continue; // plain words ("Street") may legitimately appear
          assert.ok(!f.explanation.includes(piece), `${d.id} explanation contains ${JSON.stringify(piece)}`);
        }
      }
    }
  });

  it('is deterministic: the same text gives the same findings', () => {
    for (const { d, detect } of built) assert.deepEqual(run(detect, SAMPLE), run(detect, SAMPLE), d.id);
  });

  it('finds nothing in empty or plain text', () => {
    const plain = 'Please summarise the attached meeting notes in three bullet points and suggest next steps.';
    for (const { d, detect } of built) {
      assert.deepEqual(run(detect, ''), [], d.id);
      assert.deepEqual(run(detect, plain), [], d.id);
    }
  });
});
