/**
 * Cloud provider credentials: AWS access keys (IAM user guide, "Understanding unique ID
 * prefixes": AKIA long-term, ASIA temporary), AWS secret access keys next to AWS context, Google
 * API keys (AIza + 35), Google OAuth client secrets (GOCSPX-) and access tokens (ya29.), GCP
 * service-account key files, Azure storage account keys (88 base64 characters), shared access
 * keys and SAS signatures, Entra ID client secrets, Azure OpenAI keys, and the subscription keys
 * Azure API Management and Azure AI services take in the `Ocp-Apim-Subscription-Key` header.
 */
import { contextWords, hasContext } from '../context.ts';
import { characterClasses, shannonEntropy } from '../entropy.ts';
import type { TokenRule } from '../token-rules.ts';

const AWS_CONTEXT = contextWords(['aws', 'amazon', 'secret access key', 'secret_access_key', 'secretaccesskey', 'aws_secret', 'boto']);
const AWS_KEY_ID = /(?:AKIA|ASIA)[A-Z0-9]{16}/;
const SERVICE_ACCOUNT = /service_account|gserviceaccount\.com/;
const SAS_CONTEXT = contextWords(['sv', 'se', 'sp', 'sas', 'blob', 'windows net', 'sr', 'spr']);

export const CLOUD_RULES: readonly TokenRule[] = [
  {
    rule: 'aws_access_key_id',
    category: 'secret.aws_access_key',
    name: 'AWS access key id',
    prefilter: ['AKIA', 'ASIA'],
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    body: (s) => s.slice(4),
    // Real key ids are base32 (A-Z, 2-7); other digits mean a hand-made or mistyped one.
    confirm: (secret) => (/^[A-Z2-7]{16}$/.test(secret.slice(4)) ? { score: 0.95, evidence: 'in the base32 alphabet of real key ids' } : { score: 0.8, evidence: '' }),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'aws_secret_access_key',
    category: 'secret.aws_secret_key',
    name: 'AWS secret access key',
    // 40 base64 characters; confirmed only next to AWS words or an access key id, and only when random.
    pattern: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    prefilter: /aws|amazon|boto|secret.?access|A[KS]IA/i,
    confirm: (secret, text, start, end) => {
      if (/^[0-9a-f]{40}$/i.test(secret) || characterClasses(secret) < 2 || shannonEntropy(secret) < 4) return undefined;
      const nearKeyId = AWS_KEY_ID.test(text.slice(Math.max(0, start - 200), start));
      if (!nearKeyId && !hasContext(text, start, end, AWS_CONTEXT, 96)) return undefined;
      return { score: 0.9, evidence: nearKeyId ? 'right after an AWS access key id' : 'with AWS context nearby' };
    },
    score: 0.9,
    severity: 'critical',
  },
  {
    rule: 'google_api_key',
    category: 'secret.gcp_api_key',
    name: 'Google Cloud API key',
    prefilter: ['AIza'],
    pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g,
    body: (s) => s.slice(4),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'google_oauth_client_secret',
    category: 'secret.gcp_oauth_secret',
    name: 'Google OAuth client secret',
    prefilter: ['GOCSPX-'],
    pattern: /(?<![\w-])GOCSPX-[A-Za-z0-9_-]{28}(?![\w-])/g,
    body: (s) => s.slice(7),
    score: 0.97,
    severity: 'critical',
  },
  {
    rule: 'google_oauth_access_token',
    category: 'secret.gcp_oauth_secret',
    name: 'Google OAuth access token',
    prefilter: ['ya29.'],
    pattern: /(?<![\w.-])ya29\.[A-Za-z0-9_-]{30,300}(?![\w-])/g,
    body: (s) => s.slice(5),
    score: 0.95,
    severity: 'high',
  },
  {
    rule: 'gcp_service_account_key',
    category: 'secret.gcp_service_account_key',
    name: 'GCP service-account key file (private key id)',
    prefilter: ['private_key_id'],
    pattern: /"private_key_id"\s{0,3}:\s{0,3}"(?<secret>[0-9a-f]{40})"/g,
    confirm: (_secret, text, start, end) =>
      SERVICE_ACCOUNT.test(text.slice(Math.max(0, start - 400), Math.min(text.length, end + 2000)))
        ? { score: 0.95, evidence: 'inside a service-account key file' }
        : undefined,
    score: 0.95,
    severity: 'critical',
  },
  {
    rule: 'azure_storage_account_key',
    category: 'secret.azure_key',
    name: 'Azure storage account key',
    prefilter: /AccountKey=|storage.?(?:account.?)?(?:access.?)?key/i,
    pattern: /(?:AccountKey=|azure[_-]?storage[_-]?(?:account[_-]?)?(?:access[_-]?)?key["']?\s{0,3}[:=]\s{0,3}["']?)(?<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/gi,
    score: 0.97,
    severity: 'critical',
  },
  {
    rule: 'azure_shared_access_key',
    category: 'secret.azure_key',
    name: 'Azure Service Bus / Event Hubs shared access key',
    prefilter: ['SharedAccessKey='],
    pattern: /SharedAccessKey=(?<secret>[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/g,
    score: 0.95,
    severity: 'critical',
  },
  {
    rule: 'azure_sas_signature',
    category: 'secret.azure_key',
    name: 'Azure shared access signature',
    prefilter: ['sig='],
    pattern: /[?&]sig=(?<secret>[A-Za-z0-9%+/]{40,120})(?![A-Za-z0-9%+/])/g,
    requiredContext: SAS_CONTEXT,
    score: 0.9,
    severity: 'high',
  },
  {
    rule: 'azure_ad_client_secret',
    category: 'secret.azure_key',
    name: 'Microsoft Entra ID (Azure AD) client secret',
    // Entra client secrets carry a version marker: three characters, a digit, then "Q~".
    prefilter: ['Q~'],
    pattern: /(?<![\w~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])/g,
    body: (s) => s.slice(6),
    score: 0.95,
    severity: 'critical',
  },
  {
    rule: 'azure_openai_key',
    category: 'secret.azure_key',
    name: 'Azure OpenAI key',
    prefilter: /azure/i,
    pattern: /azure[_-]?openai[_-]?(?:api[_-]?)?key["']?\s{0,3}[:=]\s{0,3}["']?(?<secret>[0-9a-f]{32})(?![0-9A-Za-z])/gi,
    score: 0.9,
    severity: 'critical',
  },
  {
    rule: 'azure_apim_subscription_key',
    category: 'secret.azure_key',
    name: 'Azure API Management / AI services subscription key',
    prefilter: /ocp-apim/i,
    // 32 hex characters (API Management, older AI services keys) or 84 alphanumerics (newer AI services keys).
    pattern: /Ocp-Apim-Subscription-Key["']?\s{0,3}[:=]\s{0,3}["']?(?<secret>[0-9a-f]{32}|[A-Za-z0-9]{84})(?![0-9A-Za-z])/gi,
    score: 0.95,
    severity: 'critical',
  },
];
