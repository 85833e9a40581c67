/**
 * Source hosting and package registry tokens: GitHub (with CRC32 checksum), GitLab, npm, PyPI. The
 * rules, with the format documents they follow, are in dlp/rules/vcs.ts.
 */
import { VCS_RULES } from './dlp/rules/vcs.ts';
import { tokenDetector } from './dlp/token-rules.ts';

export const vcsTokensDetector = tokenDetector({
  id: 'secret-vcs-tokens',
  version: '1.0.0',
  description: 'Source hosting and package registry tokens: GitHub (with CRC32 checksum), GitLab, npm, PyPI.',
  rules: VCS_RULES,
});
