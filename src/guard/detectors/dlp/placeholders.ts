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
/**
 * Masks and elisions: `****`, `xxxxx`, `••••`, `...`, `…`, long runs of one character. Four x's
 * in a row occur by chance in ~1 of 10,000 random base64 bodies, five far less; a body of only
 * x's ("sk-xxxx") is caught by the distinct-character floor below.
 */
const MASK = /[*•●]{3,}|[xX]{5,}|\.\.\.|…|(.)\1{5,}|0{6,}/;
/**
 * Words that mark filler or documentation values, matched as words in one consistent case
 * (`your_key`, `YOUR_KEY`, `YourKey`): people write them that way, while random bodies spell them
 * by chance inside other letters ("faKE", "521fakeb06" turned up in random keys).
 */
const FILLER_WORDS = ['example', 'sample', 'dummy', 'placeholder', 'redacted', 'changeme', 'change_me', 'change-me', 'changethis', 'replace', 'insert', 'your', 'fake', 'here', 'todo', 'fixme', 'notreal', 'not_a_real', 'lorem', 'ipsum', 'foobar'];
const inAnyCase = (words: readonly string[]) =>
  new RegExp(words.flatMap((w) => [`(?<![a-z])${w}(?![a-z])`, `(?<![A-Z])${w.toUpperCase()}(?![A-Z])`, `(?<![A-Za-z])${w[0]!.toUpperCase()}${w.slice(1)}(?![a-z])`]).join('|'));
const FILLER = inAnyCase(FILLER_WORDS);
const LONG_FILLER = inAnyCase(['example', 'placeholder', 'redacted', 'changeme', 'dummy']);
/** Whole values that are words, not secrets (`password: password`, `token: none`). */
const WORD_VALUES =
  /^(?:test(?:ing)?|pass(?:word)?|passwd|secret|token|api[_-]?key|key|none|null|nil|undefined|true|false|string|value|default|empty|hidden|masked|required|optional|str|int|bool|foo|bar|baz|qux|abc|xyz|demo|mysecret|mypassword|mytoken)[\d_!.-]{0,4}$/i;

/** True when `value` is a key or token vendor documentation publishes as an example. */
export function isDocumentedExample(value: string): boolean {
  return DOCUMENTED_EXAMPLES.has(value);
}

/** True when `value` (a token body or an assigned value) is a placeholder, mask or example. */
export function isPlaceholder(value: string): boolean {
  if (DOCUMENTED_EXAMPLES.has(value)) return true;
  if (value.length < 4) return true;
  if (TEMPLATE.test(value) || MASK.test(value) || hasSequence(value, 10)) return true;
  // Long random bodies contain short filler words by chance (~1e-3 per 100 characters); only the
  // unmistakable long words count there.
  if (value.length > 64) return LONG_FILLER.test(value);
  if (FILLER.test(value) || WORD_VALUES.test(value)) return true;
  return distinctCharacters(value, 4) < 4;
}

/**
 * True when `value` holds `length` characters counting up ("1234567890", "abcdefghij"), the filler
 * of hand-written examples (`ghp_1234567890abcdefghijklmnopqrstuvwxyz`). In a random base62 body
 * such a run has odds of about 62^-9 per position.
 */
function hasSequence(value: string, length: number): boolean {
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    const prev = value.charCodeAt(i - 1);
    const c = value.charCodeAt(i);
    const next = c === prev + 1 && ((c >= 49 && c <= 57) || (c >= 98 && c <= 122) || (c >= 66 && c <= 90));
    run = next || (prev === 57 && c === 48) ? run + 1 : 1;
    if (run >= length) return true;
  }
  return false;
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
