/**
 * Source hosting and package registry tokens. GitHub ("Behind GitHub's new authentication token
 * formats", 2021): `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 30 random base62 + a 6-character CRC32
 * checksum; fine-grained PATs `github_pat_` + 22 + `_` + 59. npm ("Announcing npm's new access
 * token format", 2021) uses the same checksum scheme with `npm_`; tokens from before then are
 * UUIDs, recognized where an `.npmrc` assigns them (`//registry…/:_authToken=`). GitLab
 * ("Token overview"): `glpat-`, `gldt-`, `glrt-`, … prefixes. PyPI API tokens are macaroons whose base64 starts with
 * the encoded location `pypi.org` (AgEIcHlwaS5vcmc).
 */
import { crc32Base62 } from '../checksums.ts';
import type { Confirmation, TokenRule } from '../token-rules.ts';

/**
 * Checksummed base62 tokens: a valid checksum is near certainty; a wrong one is still the format;
 * a body of another length is the prefix and alphabet only (hand-made or truncated), reported lower.
 */
function checksummed(prefixLength: number): (secret: string) => Confirmation {
  return (secret) => {
    const body = secret.slice(prefixLength);
    if (body.length !== 36) return { score: 0.75, evidence: 'though its length is not the documented 36 characters' };
    return crc32Base62(body.slice(0, 30)) === body.slice(30)
      ? { score: 0.99, evidence: 'with a valid CRC32 checksum' }
      : { score: 0.85, evidence: 'though its checksum does not verify' };
  };
}

export const VCS_RULES: readonly TokenRule[] = [
  {
    rule: 'github_token',
    category: 'secret.github_token',
    name: 'GitHub token',
    prefilter: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{30,40}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(4),
    confirm: checksummed(4),
    score: 0.99,
    severity: 'critical',
  },
  {
    rule: 'github_fine_grained_pat',
    category: 'secret.github_token',
    name: 'GitHub fine-grained personal access token',
    prefilter: ['github_pat_'],
    pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(11),
    score: 0.98,
    severity: 'critical',
  },
  {
    rule: 'gitlab_token',
    category: 'secret.gitlab_token',
    name: 'GitLab token',
    prefilter: ['gl'],
    pattern: /(?<![\w-])gl(?:pat|dt|rt|cbt|ptt|ft|imt|agent|oas|soat|ffct|wt)-[A-Za-z0-9_.-]{19,89}[A-Za-z0-9_-](?![\w-])/g,
    body: (s) => s.slice(s.indexOf('-') + 1),
    score: 0.95,
    severity: 'critical',
  },
  {
    rule: 'gitlab_runner_registration_token',
    category: 'secret.gitlab_token',
    name: 'GitLab runner registration token',
    prefilter: ['GR1348941'],
    pattern: /(?<![\w-])GR1348941[A-Za-z0-9_-]{20}(?![\w-])/g,
    body: (s) => s.slice(9),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'npm_token',
    category: 'secret.npm_token',
    name: 'npm access token',
    prefilter: ['npm_'],
    pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{30,40}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(4),
    confirm: checksummed(4),
    score: 0.99,
    severity: 'critical',
  },
  {
    rule: 'npm_legacy_token',
    category: 'secret.npm_token',
    name: 'npm access token (legacy UUID format) in an .npmrc',
    prefilter: ['_authToken'],
    pattern: /:_authToken[ \t]{0,3}=[ \t]{0,3}["']?(?<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![\w-])/gi,
    score: 0.9,
    severity: 'critical',
  },
  {
    rule: 'pypi_token',
    category: 'secret.pypi_token',
    name: 'PyPI API token',
    prefilter: ['pypi-'],
    pattern: /(?<![\w-])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}(?![\w-])/g,
    body: (s) => s.slice(20),
    score: 0.98,
    severity: 'critical',
  },
];
