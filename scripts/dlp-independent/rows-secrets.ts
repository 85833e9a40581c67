/** Rows with secrets: LLM, cloud, code-hosting, SaaS and platform keys, JWTs, private keys, URLs, passwords. */
import { S, T, r } from './markup.ts';
import { ALNUM, B64URL, UPPER, anthropic, awsAccess, awsSecret, azureClientSecret, bytes, checksummedToken, digits, from, gcpKey, githubPat, glpat, gocspx, hex, jwt, openaiLegacy, openaiProject, openaiSvc, pem, pypi, sendgrid, slackApp, slackBot, slackHook, slackUser, stripe, uuid } from './values.ts';

export function secretRows(): void {
  // ==== positives: LLM and cloud keys =============================================================

  r('env', `# .env\nOPENAI_API_KEY=${S('openai_api_key', openaiProject())}\nANTHROPIC_API_KEY=${S('anthropic_api_key', anthropic())}\nLOG_LEVEL=debug`);
  r('code', `from openai import OpenAI\nclient = OpenAI(api_key="${S('openai_api_key', openaiLegacy())}")`);
  r('chat', `here's my key ${S('anthropic_api_key', anthropic())} why does it say 401??`);
  r('yaml', `anthropic:\n  admin_key: ${S('anthropic_api_key', anthropic('admin01'))}`);
  r('log', `openai.AuthenticationError: Error code: 401 - Incorrect API key provided: ${S('openai_api_key', openaiSvc())}.`);
  r('ini', `[default]\naws_access_key_id = ${S('aws_access_key', awsAccess())}\naws_secret_access_key = ${S('aws_secret_key', awsSecret())}\nregion = eu-west-1`);
  r('code', `provider "aws" {\n  region     = "us-east-1"\n  access_key = "${S('aws_access_key', awsAccess())}"\n  secret_key = "${S('aws_secret_key', awsSecret())}"\n}`);
  r('log', `DEBUG botocore.credentials: Found credentials in environment: AccessKeyId=${S('aws_access_key', awsAccess('ASIA'))}`);
  r('chat', `aws keys for the staging bucket: ${S('aws_access_key', awsAccess())} / ${S('aws_secret_key', awsSecret())}`);
  r('env', `AZURE_TENANT_ID=${uuid()}\nAZURE_CLIENT_ID=${uuid()}\nAZURE_CLIENT_SECRET=${S('azure_key', azureClientSecret())}`);
  r('log', `curl -H "Ocp-Apim-Subscription-Key: ${S('azure_key', hex(32))}" https://westeurope.api.cognitive.microsoft.com/text/analytics/v3.1/languages`);
  r('env', `AZURE_OPENAI_ENDPOINT=https://contoso-ai.openai.azure.com/\nAZURE_OPENAI_API_KEY=${S('azure_key', hex(32))}`);
  r('code', `const url = \`https://maps.googleapis.com/maps/api/geocode/json?address=\${q}&key=${S('gcp_api_key', gcpKey())}\`;`);
  r('env', `GOOGLE_API_KEY=${S('gcp_api_key', gcpKey())}`);
  r('json', `{"installed":{"client_id":"48213379012-k2m9d0aq7r3e6v1h5b8c4n0j2p6s9t1u.apps.googleusercontent.com","project_id":"invoice-ocr","auth_uri":"https://accounts.google.com/o/oauth2/auth","client_secret":"${S('gcp_oauth_secret', gocspx())}","redirect_uris":["http://localhost"]}}`);
  r('chat', `client secret is ${S('gcp_oauth_secret', gocspx())} dont share`);
  {
    const key = pem('PRIVATE KEY', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ', 1180, '\\n');
    const sa = `{\n  "type": "service_account",\n  "project_id": "billing-prod-4471",\n  "private_key_id": "${S('gcp_service_account_key', hex(40))}",\n  "private_key": "${S('private_key', key)}\\n",\n  "client_email": "${T.email('etl-runner@billing-prod-4471.iam.gserviceaccount.com')}",\n  "client_id": "${digits(21)}",\n  "token_uri": "https://oauth2.googleapis.com/token"\n}`;
    r('json', `Here is the key file the job uses:\n${sa}`);
  }
  {
    const key = pem('PRIVATE KEY', 'MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ', 1180, '\\n');
    const sa = `{"type":"service_account","project_id":"ml-sandbox-22","private_key_id":"${S('gcp_service_account_key', hex(40))}","private_key":"${S('private_key', key)}\\n","client_email":"${T.email('trainer@ml-sandbox-22.iam.gserviceaccount.com')}","client_id":"${digits(21)}"}`;
    r('env', `GOOGLE_CREDENTIALS='${sa}'`);
  }

  // ==== positives: code hosting, CI, package registries ===========================================

  r('shell', `git remote set-url origin https://${S('github_token', checksummedToken('ghp_'))}@github.com/acme/payments.git`);
  r('chat', `use this fine-grained token: ${S('github_token', githubPat())}`);
  r('log', `##[debug]Evaluating: secrets.GITHUB_TOKEN => ${S('github_token', checksummedToken('ghs_'))}`);
  r('json', `{"access_token":"${S('github_token', checksummedToken('gho_'))}","token_type":"bearer","scope":"repo,gist"}`);
  r('shell', `curl --header "PRIVATE-TOKEN: ${S('gitlab_token', glpat())}" "https://gitlab.example.org/api/v4/projects"`);
  r('yaml', `runners:\n  - url: https://gitlab.com/\n    token: ${S('gitlab_token', `glrt-${from(B64URL, 20)}`)}`);
  r('env', `CI_DEPLOY_TOKEN=${S('gitlab_token', `gldt-${from(B64URL, 20)}`)}`);
  r('ini', `//registry.npmjs.org/:_authToken=${S('npm_token', checksummedToken('npm_'))}`);
  r('ini', `# old .npmrc\n//registry.npmjs.org/:_authToken=${S('npm_token', uuid())}\nalways-auth=true`);
  r('ini', `[distutils]\nindex-servers = pypi\n\n[pypi]\n  username = __token__\n  password = ${S('pypi_token', pypi())}`);
  r('shell', `twine upload dist/* -u __token__ -p ${S('pypi_token', pypi())}`);

  // ==== positives: chat, mail, payments, telephony ================================================

  r('code', `import sendgrid\nsg = sendgrid.SendGridAPIClient(api_key='${S('sendgrid_key', sendgrid())}')`);
  r('env', `SLACK_BOT_TOKEN=${S('slack_token', slackBot())}\nSLACK_APP_TOKEN=${S('slack_token', slackApp())}`);
  r('chat', `my user token is ${S('slack_token', slackUser())} pls dont leak`);
  r('json', `{"alerts":{"channel":"#oncall","webhook":"${S('slack_webhook', slackHook())}"}}`);
  r('shell', `curl -X POST -H 'Content-type: application/json' --data '{"text":"deploy done"}' ${S('slack_webhook', slackHook())}`);
  r('shell', `curl https://api.stripe.com/v1/charges -u ${S('stripe_key', stripe('sk_live'))}:`);
  r('env', `STRIPE_RESTRICTED_KEY=${S('stripe_key', `rk_live_${from(ALNUM, 24)}`)}`);
  r('code', `const stripe = require('stripe')('${S('stripe_key', `sk_test_${from(ALNUM, 24)}`)}');`);
  r('env', `TWILIO_ACCOUNT_SID=AC${hex(32)}\nTWILIO_AUTH_TOKEN=${S('twilio_key', hex(32))}`);
  r('code', `client = Client("${S('twilio_key', `SK${hex(32)}`)}", "${S('twilio_key', from(ALNUM, 32))}", account_sid)`);

  // ==== positives: other LLM providers ============================================================

  r('env', `GROQ_API_KEY=${S('llm_api_key', `gsk_${from(ALNUM, 52)}`)}`);
  r('shell', `huggingface-cli login --token ${S('llm_api_key', `hf_${from(UPPER + 'abcdefghijklmnopqrstuvwxyz', 34)}`)}`);
  r('env', `REPLICATE_API_TOKEN=${S('llm_api_key', `r8_${from(ALNUM, 37)}`)}`);
  r('code', `headers = {"Authorization": "Bearer ${S('llm_api_key', `pplx-${from(ALNUM, 48)}`)}"}`);
  r('env', `OPENROUTER_API_KEY=${S('llm_api_key', `sk-or-v1-${hex(64)}`)}`);
  r('chat', `xai key: ${S('llm_api_key', `xai-${from(ALNUM, 80)}`)}`);
  r('env', `MISTRAL_API_KEY=${S('llm_api_key', from(ALNUM, 32))}`);

  // ==== positives: platform tokens ================================================================

  r('env', `DIGITALOCEAN_TOKEN=${S('platform_token', `dop_v1_${hex(64)}`)}`);
  r('code', `shopify = ShopifyAPI(access_token="${S('platform_token', `shpat_${hex(32)}`)}")`);
  r('shell', `export VAULT_TOKEN=${S('platform_token', `hvs.${from(B64URL, 90)}`)}`);
  r('yaml', `databricks:\n  host: https://adb-4412.7.azuredatabricks.net\n  token: ${S('platform_token', `dapi${hex(32)}`)}`);
  r('chat', `linear api key ${S('platform_token', `lin_api_${from(ALNUM, 40)}`)}`);
  r('env', `POSTMAN_API_KEY=${S('platform_token', `PMAK-${hex(24)}-${hex(34)}`)}`);
  r('env', `SUPABASE_ACCESS_TOKEN=${S('platform_token', `sbp_${hex(40)}`)}`);

  // ==== positives: JWTs, private keys, connection strings =========================================

  r('shell', `curl -H "Authorization: Bearer ${S('jwt', jwt({ sub: 'u_82731', role: 'admin', iat: 1718035200, exp: 1718121600 }))}" https://api.internal.acme.io/v2/me`);
  r('log', `2024-06-11 12:00:01 WARN session cookie: sid=${S('jwt', jwt({ sub: '42', email: 'x@y.z', iat: 1718100000 }, 'RS256'))}; Path=/; HttpOnly`);
  r('chat', `the token from the login response is ${S('jwt', jwt({ user_id: 991, scope: ['read', 'write'], exp: 1999999999 }))} and it expires in an hour`);
  r('chat', `here's the deploy key, add it to the server:\n${S('private_key', pem('OPENSSH PRIVATE KEY', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 300))}`);
  r('file', `${S('private_key', pem('RSA PRIVATE KEY', 'MIIEpAIBAAKCAQEA', 1170))}\n`);
  r('yaml', `tls:\n  key: |\n    ${S('private_key', pem('EC PRIVATE KEY', 'MHcCAQEEI', 110, '\n    '))}`);
  r('email', `Attached the signing key as text since the attachment bounced:\n\n${S('private_key', pem('ENCRYPTED PRIVATE KEY', 'MIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQI', 1250))}\n\nPassphrase in a separate mail.`);
  r('stacktrace', `Traceback (most recent call last):\n  File "/app/db.py", line 14, in connect\n    conn = psycopg2.connect("postgresql://app_user:${S('connection_string', 'Zx81pQ2mLk')}@db-prod-1.internal.acme.io:5432/orders")\npsycopg2.OperationalError: connection to server failed: timeout`);
  r('env', `MONGODB_URI=mongodb+srv://admin:${S('connection_string', from(ALNUM, 16))}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true&w=majority`);
  r('json', `{"ConnectionStrings":{"Default":"Server=tcp:sql-prod.database.windows.net,1433;Initial Catalog=crm;User ID=crmadmin;Password=${S('password', 'Q7#vL2m!xP9s')};Encrypt=True;"}}`);
  r('yaml', `services:\n  worker:\n    environment:\n      REDIS_URL: redis://:${S('connection_string', from(ALNUM, 20))}@cache-01.prod.acme.io:6379/0`);
  r('code', `String url = "jdbc:mysql://db01.shop.local:3306/shop?user=shop&password=${S('password', 'fR4tY7uI9wQ')}";`);
  r('env', `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey=${S('azure_key', bytes(64).toString('base64'))};EndpointSuffix=core.windows.net"`);
  r('log', `amqp: dialing amqps://svc-orders:${S('connection_string', from(ALNUM, 18))}@rabbit.prod.acme.io:5671/orders failed: EOF`);

  // ==== positives: passwords and generic secrets ==================================================

  r('yaml', `database:\n  host: db.internal\n  user: billing\n  password: ${S('password', 'S3cure!Passw0rd#2024')}`);
  r('env', `DB_PASSWORD=${S('password', 'wq8#Lm2!vRz')}`);
  r('chat', `my password is ${S('password', 'Blue-Falcon-92')} can u reset the 2fa`);
  r('shell', `mysql -h db.internal -u root -p${S('password', 'RootPass!2023')} shop < dump.sql`);
  r('ticket', `login: admin / pass: ${S('password', 'Xk9$mPq2')}`);
  r('email', `Hi team, the wifi password for the offsite is ${S('password', 'Sunflower_Lake77')}.`);
  r('json', `{"username":"svc-report","password":"${S('password', 'h7&Kd93!zQp')}"}`);
  r('env', `SECRET_KEY=${S('generic', `django-insecure-${from(`${ALNUM}!@#%^&*(-_=+)`, 50)}`)}`);
  r('shell', `curl -H "X-API-Key: ${S('generic', from(ALNUM, 40))}" https://api.weatherprovider.io/v1/forecast`);
  r('yaml', `webhook:\n  signing_secret: ${S('generic', hex(64))}`);
  r('code', `API_TOKEN = "${S('generic', from(B64URL, 43))}"  # prod`);
  r('log', `GET /export?format=csv&access_token=${S('generic', from(ALNUM, 48))} 200`);
}
