/**
 * Writes test/fixtures/dlp/independent.jsonl: a hand-written labelled DLP set, made apart from the
 * generated corpus (scripts/make-dlp-corpus.ts) and without looking at the detectors, to measure
 * how they do on text written differently. Rows are marked-up text; offsets are computed here.
 * Values that carry a checksum are generated so that it holds; secrets are random characters in
 * the real formats (no real credentials). About 40% of rows are hard negatives with no spans.
 *
 * Labelling policy (a security reviewer's reading), with the span conventions the project
 * documents (src/guard/detectors/secret-connection-string.ts, dlp/rules/cloud.ts):
 * - the secret part is labelled, not its container: in a URL's user info only the password
 *   (secret.connection_string); in a `Password=` / `password=` key of a connection string the
 *   value (secret.password); in an Azure storage connection string the AccountKey
 *   (secret.azure_key); in a GCP service-account file its private_key_id
 *   (secret.gcp_service_account_key), its PEM block (secret.private_key) and its client_email;
 * - placeholders, documentation values (AKIA…EXAMPLE, 192.0.2.0/24, 2001:db8::/32, example.com)
 *   and values failing their checksum are not labelled;
 * - a phone extension is part of the phone span; a title (Dr., Ms.) is not part of a name; a
 *   country name after an address is not part of the address.
 *
 *   node scripts/make-dlp-independent.ts
 */
import { writeFileSync } from 'node:fs';
import { takeRows, type Row } from './dlp-independent/markup.ts';
import { negativeRows } from './dlp-independent/rows-negatives.ts';
import { piiRows } from './dlp-independent/rows-pii.ts';
import { secretRows } from './dlp-independent/rows-secrets.ts';
import { reseed } from './dlp-independent/values.ts';
import { helpAndExit } from './lib/usage.ts';

helpAndExit(import.meta.url);

export const INDEPENDENT_PATH = 'test/fixtures/dlp/independent.jsonl';

/** Every row of the set, the same on every call. */
export function makeIndependentSet(): Row[] {
  reseed();
  takeRows();
  // The order matters: every value comes from one seeded random sequence.
  piiRows();
  secretRows();
  negativeRows();
  return takeRows();
}

export function serialize(rows: readonly Row[]): string {
  return `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
}

if (import.meta.main) {
  const rows = makeIndependentSet();
  writeFileSync(INDEPENDENT_PATH, serialize(rows));
  const neg = rows.filter((row) => row.spans.length === 0).length;
  process.stdout.write(`${INDEPENDENT_PATH}: ${rows.length} rows, ${neg} negatives (${Math.round((100 * neg) / rows.length)}%), ${rows.reduce((a, row) => a + row.spans.length, 0)} spans\n`);
}
