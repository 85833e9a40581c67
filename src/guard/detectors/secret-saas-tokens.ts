/**
 * SaaS credentials: Slack tokens and webhooks, Stripe keys, Twilio keys, SendGrid keys. The rules,
 * with the format documents they follow, are in dlp/rules/saas.ts.
 */
import { SAAS_RULES } from './dlp/rules/saas.ts';
import { tokenDetector } from './dlp/token-rules.ts';

export const saasTokensDetector = tokenDetector({
  id: 'secret-saas-tokens',
  version: '1.0.0',
  description: 'SaaS credentials: Slack tokens and webhooks, Stripe keys, Twilio keys, SendGrid keys.',
  rules: SAAS_RULES,
});
