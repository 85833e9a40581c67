/**
 * Developer-platform tokens with documented prefixes (DigitalOcean, Vault, Doppler, Docker Hub,
 * Postman, Databricks, Supabase, Pulumi, Grafana, New Relic, Shopify, Linear, Telegram,
 * Mailchimp, Mailgun). The rules, with the format documents they follow, are in
 * dlp/rules/platform.ts.
 */
import { PLATFORM_RULES } from './dlp/rules/platform.ts';
import { tokenDetector } from './dlp/token-rules.ts';

export const platformTokensDetector = tokenDetector({
  id: 'secret-platform-tokens',
  version: '1.0.0',
  description: 'Developer-platform tokens with documented prefixes: DigitalOcean, Vault, Doppler, Docker Hub, Postman, Databricks, Shopify and more.',
  rules: PLATFORM_RULES,
});
