/**
 * Cloud provider credentials: AWS access and secret keys, Google API and service-account keys,
 * Azure storage, shared access and OpenAI keys. The rules, with the format documents they follow,
 * are in dlp/rules/cloud.ts.
 */
import { CLOUD_RULES } from './dlp/rules/cloud.ts';
import { tokenDetector } from './dlp/token-rules.ts';

export const cloudKeysDetector = tokenDetector({
  id: 'secret-cloud-keys',
  version: '1.0.0',
  description: 'Cloud provider credentials: AWS access and secret keys, Google API and service-account keys, Azure storage, shared access and OpenAI keys.',
  rules: CLOUD_RULES,
});
