/**
 * Values that look like secrets but are not: template variables, masks, documentation examples
 * and filler. Reporting them would teach users to ignore the detector (and would block every
 * README pasted into a prompt), so the secret recognizers ask here before reporting.
 */

/** Keys and tokens published in vendor documentation as examples; they grant nothing. */
const DOCUMENTED_EXAMPLES: ReadonlySet<string> = new Set([
  // AWS IAM user guide, "Managing access keys".
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ASIAIOSFODNN7EXAMPLE',
  // Stripe API reference sample keys.
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  'sk_test_BQokikJOvBiI2HlWgH4olfQ2',
  // jwt.io debugger default token.
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  // GitHub REST API docs sample token.
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
]);

/** Template and reference syntax: `${X}`, `{{x}}`, `<token>`, `%(x)s`, `$X`, `process.env.X`. */
const TEMPLATE = /\$\{|\{\{|\}\}|%\(|^\$[A-Za-z_]|^<.*>$|^\[.*\]$|^\{.*\}$|process\.env|os\.environ|getenv|^env\(/;
/** Masks and elisions: `****`, `xxxx`, `••••`, `...`, `…`, long runs of one character. */
const MASK = /[*•●]{3,}|[xX]{4,}|\.\.\.|…|(.)\1{5,}|0{6,}/;
/** Words that mark filler or documentation values. */
const FILLER =
  /example|sample|dummy|placeholder|redacted|changeme|change[_-]?me|change[_-]?this|replace|insert|your|fake|here|todo|fixme|notreal|not[_-]?a[_-]?real|xxx|lorem|ipsum|abcdef|123456|qwerty|foobar/i;
/** Whole values that are words, not secrets (`password: password`, `token: none`). */
const WORD_VALUES =
  /^(?:test(?:ing)?|pass(?:word)?|passwd|secret|token|api[_-]?key|key|none|null|nil|undefined|true|false|string|value|default|empty|hidden|masked|required|optional|str|int|bool|foo|bar|baz|qux|abc|xyz|demo|mysecret|mypassword|mytoken|s3cr3t|p@ssw0rd|password1|pass123)[\d_!.-]{0,4}$/i;

/** True when `value` (a token body or an assigned value) is a placeholder, mask or example. */
export function isPlaceholder(value: string): boolean {
  if (DOCUMENTED_EXAMPLES.has(value)) return true;
  if (value.length < 4) return true;
  if (TEMPLATE.test(value) || MASK.test(value) || FILLER.test(value) || WORD_VALUES.test(value)) return true;
  return distinctCharacters(value, 4) < 4;
}

/** Counts distinct characters, stopping early at `enough`. */
function distinctCharacters(s: string, enough: number): number {
  const seen = new Set<string>();
  for (const ch of s) {
    seen.add(ch);
    if (seen.size >= enough) break;
  }
  return seen.size;
}
