/**
 * Messaging and payment SaaS credentials. Slack ("Token types": `xoxb-` bot, `xoxp-` user,
 * `xoxa-`/`xoxr-`/`xoxe.` rotating, `xapp-` app-level) and incoming webhooks
 * (hooks.slack.com/services/T…/B…/…); Stripe ("API keys": `sk_`/`rk_` + `live_`/`test_`, webhook
 * secrets `whsec_`); Twilio API key SIDs (`SK` + 32 hex) and auth tokens beside Twilio names;
 * SendGrid (`SG.` + 22 + `.` + 43).
 */
import { contextWords } from '../context.ts';
import type { TokenRule } from '../token-rules.ts';

export const SAAS_RULES: readonly TokenRule[] = [
  {
    rule: 'slack_webhook',
    category: 'secret.slack_webhook',
    name: 'Slack incoming webhook URL',
    prefilter: ['hooks.slack.com'],
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{8,12}\/[AB][A-Z0-9]{8,12}\/[A-Za-z0-9]{20,40}(?![A-Za-z0-9])/g,
    body: (s) => s.slice(s.lastIndexOf('/') + 1),
    score: 0.97,
    severity: 'high',
  },
  {
    rule: 'slack_token',
    category: 'secret.slack_token',
    name: 'Slack token',
    // Slack tokens are dash-separated: a type prefix, numeric team/user ids, then a random part.
    prefilter: ['xox', 'xapp-'],
    pattern: /(?<![\w.-])(?:xoxe\.)?(?:xox[abposre]|xapp)-\d{1,3}(?:-[0-9A-Za-z]{1,80}){1,4}(?![\w-])|(?<![\w.-])xox[abposre]-\d{6,15}-[0-9A-Za-z-]{8,120}[0-9A-Za-z](?![\w-])/g,
    body: (s) => s.slice(s.indexOf('-') + 1),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'stripe_live_key',
    category: 'secret.stripe_key',
    name: 'Stripe live secret or restricted key',
    prefilter: ['_live_'],
    pattern: /(?<![\w])(?:sk|rk)_live_[0-9A-Za-z]{24,247}(?![\w])/g,
    body: (s) => s.slice(8),
    score: 0.98,
    severity: 'critical',
  },
  {
    rule: 'stripe_test_key',
    category: 'secret.stripe_key',
    name: 'Stripe test-mode secret or restricted key',
    prefilter: ['_test_'],
    pattern: /(?<![\w])(?:sk|rk)_test_[0-9A-Za-z]{24,247}(?![\w])/g,
    body: (s) => s.slice(8),
    score: 0.9,
    severity: 'medium',
  },
  {
    rule: 'stripe_webhook_secret',
    category: 'secret.stripe_key',
    name: 'Stripe webhook signing secret',
    prefilter: ['whsec_'],
    pattern: /(?<![\w])whsec_[0-9A-Za-z]{32,64}(?![\w])/g,
    body: (s) => s.slice(6),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'twilio_api_key',
    category: 'secret.twilio_key',
    name: 'Twilio API key SID',
    prefilter: ['SK'],
    pattern: /(?<![\w])SK[0-9a-f]{32}(?![\w])/g,
    body: (s) => s.slice(2),
    score: 0.9,
    severity: 'high',
  },
  {
    rule: 'twilio_auth_token',
    category: 'secret.twilio_key',
    name: 'Twilio auth token',
    prefilter: /token/i,
    pattern: /(?:twilio[_-]?(?:auth[_-]?)?token|TWILIO_SECRET|authToken|auth_token)["']?\s{0,3}[:=]\s{0,3}["']?(?<secret>[0-9a-f]{32})(?![0-9A-Za-z])/gi,
    requiredContext: contextWords(['twilio', 'account sid', 'accountsid', 'account_sid']),
    score: 0.9,
    severity: 'critical',
  },
  {
    rule: 'sendgrid_api_key',
    category: 'secret.sendgrid_key',
    name: 'SendGrid API key',
    prefilter: ['SG.'],
    pattern: /(?<![\w])SG\.[\w-]{22}\.[\w-]{43}(?![\w-])/g,
    body: (s) => s.slice(3),
    score: 0.98,
    severity: 'critical',
  },
];
