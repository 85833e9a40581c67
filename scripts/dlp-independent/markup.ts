/**
 * Marked-up rows for the independent DLP set: `m(type, value)` marks a gold span inside a row's
 * text, and `r(style, text)` strips the marks and records the exact offsets, so no offset is ever
 * written by hand.
 */

export const TYPES = new Set(
  'pii.date_of_birth pii.email pii.es_nif pii.fr_nir pii.iban pii.ip_address pii.it_fiscal_code pii.nl_bsn pii.payment_card pii.person_name pii.phone pii.pl_pesel pii.postal_address pii.uk_nino pii.us_ssn secret.anthropic_api_key secret.aws_access_key secret.aws_secret_key secret.azure_key secret.connection_string secret.gcp_api_key secret.gcp_oauth_secret secret.gcp_service_account_key secret.generic secret.github_token secret.gitlab_token secret.jwt secret.llm_api_key secret.npm_token secret.openai_api_key secret.password secret.platform_token secret.private_key secret.pypi_token secret.sendgrid_key secret.slack_token secret.slack_webhook secret.stripe_key secret.twilio_key'.split(' '),
);

export const OPEN = '\u0002';
export const SEP = '\u0003';
export const CLOSE = '\u0004';
/** Marks value as a gold span of the given type. */
export function m(type: string, value: string): string {
  if (!TYPES.has(type)) throw new Error(`unknown type ${type}`);
  return `${OPEN}${type}${SEP}${value}${CLOSE}`;
}
export const T = {
  dob: (v: string) => m('pii.date_of_birth', v),
  email: (v: string) => m('pii.email', v),
  nif: (v: string) => m('pii.es_nif', v),
  nir: (v: string) => m('pii.fr_nir', v),
  iban: (v: string) => m('pii.iban', v),
  ip: (v: string) => m('pii.ip_address', v),
  cf: (v: string) => m('pii.it_fiscal_code', v),
  bsn: (v: string) => m('pii.nl_bsn', v),
  card: (v: string) => m('pii.payment_card', v),
  name: (v: string) => m('pii.person_name', v),
  phone: (v: string) => m('pii.phone', v),
  pesel: (v: string) => m('pii.pl_pesel', v),
  addr: (v: string) => m('pii.postal_address', v),
  nino: (v: string) => m('pii.uk_nino', v),
  ssn: (v: string) => m('pii.us_ssn', v),
};
export const S = (kind: string, v: string) => m(`secret.${kind}`, v);

export interface Row {
  text: string;
  spans: { start: number; end: number; type: string }[];
  style: string;
}
let rows: Row[] = [];
/** The rows recorded since the last call. */
export function takeRows(): Row[] {
  const out = rows;
  rows = [];
  return out;
}
export function r(style: string, marked: string): void {
  let text = '';
  const spans: Row['spans'] = [];
  const stack: { start: number; type: string }[] = [];
  for (let i = 0; i < marked.length; i++) {
    const ch = marked[i]!;
    if (ch === OPEN) {
      const sep = marked.indexOf(SEP, i);
      stack.push({ start: text.length, type: marked.slice(i + 1, sep) });
      i = sep;
    } else if (ch === CLOSE) {
      const open = stack.pop()!;
      spans.push({ start: open.start, end: text.length, type: open.type });
    } else {
      text += ch;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed span in ${marked}`);
  spans.sort((a, b) => a.start - b.start);
  rows.push({ text, spans, style });
}
