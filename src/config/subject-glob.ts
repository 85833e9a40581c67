/**
 * Subject patterns for workload trust rules: exact strings with two wildcards.
 * - `*` matches any run of characters except `:` and `/`, so `system:serviceaccount:team-a:*`
 *   matches every service account of namespace team-a and nothing in another namespace;
 * - `**` matches anything, for prefixes such as `repo:acme/app:**`.
 * Compiled once to RE2 (linear time, no backtracking: STYLE.md habit 7).
 */
import { RE2JS } from 're2js';

export const MAX_PATTERN_CHARS = 512;
const MAX_WILDCARDS = 16;

export type SubjectMatcher = (value: string) => boolean;

/** Why `pattern` is not a valid subject pattern, or null. */
export function subjectPatternProblem(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_CHARS) return `must be 1-${MAX_PATTERN_CHARS} characters`;
  if (/[\x00-\x1f\x7f]/.test(pattern)) return 'must not contain control characters';
  if (pattern.includes('***')) return "use '*' (one segment) or '**' (anything), not '***'";
  if ((pattern.match(/\*+/g) ?? []).length > MAX_WILDCARDS) return `must have at most ${MAX_WILDCARDS} wildcards`;
  if (/^\*+$/.test(pattern)) return 'must not be only a wildcard: name the subjects you trust';
  return null;
}

/** Compiles a subject pattern; throws a TypeError for an invalid one (config validation runs first). */
export function compileSubjectPattern(pattern: string): SubjectMatcher {
  const problem = subjectPatternProblem(pattern);
  if (problem !== null) throw new TypeError(`invalid subject pattern: ${problem}`);
  if (!pattern.includes('*')) return (value) => value === pattern;
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^:/]*' : part === '' ? '' : RE2JS.quote(part)))
    .join('');
  const re = RE2JS.compile(`^${source}$`, RE2JS.DOTALL);
  return (value) => re.matches(value);
}
