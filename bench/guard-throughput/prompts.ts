/** The guard benchmarks' prompts: the same deterministic text for the timed run and the instruction count. */

// A deterministic mix of ordinary prompt text: requests, code, prose, a few numbers and names.
const SENTENCES = [
  'Could you summarise the attached quarterly report in three bullet points for the board?',
  'Write a TypeScript function that parses an ISO 8601 date and returns the weekday.',
  'The meeting moved to Thursday at 10:30; please bring the revised budget and the hiring plan.',
  'Explain the difference between optimistic and pessimistic locking in relational databases.',
  'Our customer in Lyon reported that the invoice total does not match the order confirmation.',
  'Translate the following paragraph into German, keeping the formal tone of the original.',
  'const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);',
  'Draft a polite reply declining the invitation but proposing a call early next month instead.',
  'What are the trade-offs of server-sent events compared with WebSockets for live dashboards?',
  'Release 4.2.1 fixes the cache invalidation bug and raises the default timeout to 30 seconds.',
];

/**
 * `count` prompts of `size` code units, the same on every call, each as the gateway hands it to
 * the guard: a string JSON.parse made from a request body. (Built by concatenation and `slice`, a
 * prompt would be a sliced string, whose every character read costs an indirection that a parsed
 * body's flat string does not: about 5 % of a scan, measured 2026-12-07.)
 */
export function benchPrompts(size: number, count: number): string[] {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const prompt = () => {
    let s = '';
    while (s.length < size) s += `${SENTENCES[Math.floor(rand() * SENTENCES.length)]} `;
    return s.slice(0, size);
  };
  return Array.from({ length: count }, () => (JSON.parse(JSON.stringify({ content: prompt() })) as { content: string }).content);
}
