/**
 * Developer-platform tokens whose vendors publish a distinctive prefix ("token format" pages of
 * each vendor): DigitalOcean (`dop_v1_`), HashiCorp Vault service tokens (`hvs.`), Doppler
 * (`dp.pt.`), Docker Hub (`dckr_pat_`), Postman (`PMAK-`), Databricks (`dapi`), Supabase (`sbp_`),
 * Pulumi (`pul-`), Grafana service accounts (`glsa_`), New Relic user keys (`NRAK-`), Shopify
 * (`shpat_`/`shpss_`/`shpca_`/`shppa_`), Linear (`lin_api_`), Telegram bot tokens
 * (`<bot id>:AA…`), Mailchimp (`…-us<n>`) and Mailgun (`key-`).
 */
import type { TokenRule } from '../token-rules.ts';

const rule = (id: string, name: string, prefilter: readonly string[], pattern: RegExp, prefixLength: number): TokenRule => ({
  rule: id,
  category: 'secret.platform_token',
  name,
  prefilter,
  pattern,
  body: (s) => s.slice(prefixLength),
  score: 0.95,
  severity: 'critical',
});

export const PLATFORM_RULES: readonly TokenRule[] = [
  rule('digitalocean_token', 'DigitalOcean token', ['_v1_'], /(?<![\w-])do[opr]_v1_[a-f0-9]{64}(?![\w-])/g, 7),
  rule('vault_service_token', 'HashiCorp Vault token', ['hvs.', 'hvb.'], /(?<![\w.-])hv[sb]\.[A-Za-z0-9_-]{24,300}(?![\w-])/g, 4),
  rule('doppler_token', 'Doppler token', ['dp.'], /(?<![\w.-])dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}(?![\w-])/g, 6),
  rule('docker_hub_pat', 'Docker Hub personal access token', ['dckr_pat_'], /(?<![\w-])dckr_pat_[A-Za-z0-9_-]{27}(?![\w-])/g, 9),
  rule('postman_api_key', 'Postman API key', ['PMAK-'], /(?<![\w-])PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![\w-])/g, 5),
  rule('databricks_token', 'Databricks personal access token', ['dapi'], /(?<![\w-])dapi[a-f0-9]{32}(?:-\d)?(?![\w-])/g, 4),
  rule('supabase_token', 'Supabase access token', ['sbp_'], /(?<![\w-])sbp_[a-f0-9]{40}(?![\w-])/g, 4),
  rule('pulumi_token', 'Pulumi access token', ['pul-'], /(?<![\w-])pul-[a-f0-9]{40}(?![\w-])/g, 4),
  rule('grafana_service_account_token', 'Grafana service account token', ['glsa_'], /(?<![\w-])glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}(?![\w-])/g, 5),
  rule('new_relic_user_key', 'New Relic user API key', ['NRAK-'], /(?<![\w-])NRAK-[A-Z0-9]{27}(?![\w-])/g, 5),
  rule('shopify_token', 'Shopify access token', ['shp'], /(?<![\w-])shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}(?![\w-])/g, 6),
  rule('linear_api_key', 'Linear API key', ['lin_api_'], /(?<![\w-])lin_api_[A-Za-z0-9]{40}(?![\w-])/g, 8),
  rule('telegram_bot_token', 'Telegram bot token', [':AA'], /(?<![\w:-])\d{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])/g, 0),
  rule('mailchimp_api_key', 'Mailchimp API key', ['-us'], /(?<![\w-])[a-f0-9]{32}-us\d{1,2}(?![\w-])/g, 0),
  rule('mailgun_api_key', 'Mailgun API key', ['key-'], /(?<![\w-])key-[a-f0-9]{32}(?![\w-])/g, 4),
];
