/**
 * Templates with credentials, where they really leak: pasted .env files, YAML and JSON config,
 * code snippets, shell history, CI logs, curl commands, and chat ("why does this key not work?").
 */
import { BASE62, type Rng } from './random.ts';
import { row, type Template } from './row.ts';
import { SECRET_GENERATORS as S, genericSecret, jwt, password, pem, platformToken } from './secret-values.ts';

const tok = (type: string) => (r: Rng) => [type, S[type]!(r)] as const;
const host = (r: Rng) => r.pick(['db.internal', 'prod-db-1.acme-corp.com', 'localhost', 'pg.northwind.io', 'cluster0.ab1cd.mongodb.net']);

/** Provider token types that can stand alone in any template below. */
const TOKEN_TYPES = [
  'secret.aws_access_key', 'secret.gcp_api_key', 'secret.github_token', 'secret.gitlab_token', 'secret.npm_token', 'secret.pypi_token',
  'secret.openai_api_key', 'secret.anthropic_api_key', 'secret.llm_api_key', 'secret.slack_token', 'secret.slack_webhook',
  'secret.stripe_key', 'secret.twilio_key', 'secret.sendgrid_key', 'secret.jwt',
];
const ENV_NAMES: Record<string, string> = {
  'secret.aws_access_key': 'AWS_ACCESS_KEY_ID', 'secret.gcp_api_key': 'GOOGLE_API_KEY', 'secret.github_token': 'GITHUB_TOKEN', 'secret.gitlab_token': 'GITLAB_TOKEN',
  'secret.npm_token': 'NPM_TOKEN', 'secret.pypi_token': 'TWINE_PASSWORD', 'secret.openai_api_key': 'OPENAI_API_KEY', 'secret.anthropic_api_key': 'ANTHROPIC_API_KEY',
  'secret.llm_api_key': 'LLM_API_KEY', 'secret.slack_token': 'SLACK_BOT_TOKEN', 'secret.slack_webhook': 'SLACK_WEBHOOK_URL', 'secret.stripe_key': 'STRIPE_SECRET_KEY',
  'secret.twilio_key': 'TWILIO_API_KEY', 'secret.sendgrid_key': 'SENDGRID_API_KEY', 'secret.jwt': 'SESSION_TOKEN',
};

function anyToken(r: Rng): readonly [string, string] {
  return tok(r.pick(TOKEN_TYPES))(r);
}

/** Types the templates above draw least often, topped up so each has enough support to score. */
const RARE_TYPES = ['secret.pypi_token', 'secret.slack_token', 'secret.llm_api_key', 'secret.gcp_api_key', 'secret.gitlab_token'];
const rareToken = (r: Rng) => tok(r.pick(RARE_TYPES))(r);

export const SECRET_TEMPLATES: readonly Template[] = [
  // --- chat
  (r) => row('chat', ['why does this key not work?? ', anyToken(r), ' i keep getting 401']),
  (r) => {
    const t = anyToken(r);
    return row('chat', ['here is my ', ENV_NAMES[t[0]]!.toLowerCase().replace(/_/g, ' '), ': ', t, ' - can you write the curl call for me']);
  },
  (r) => row('chat', ['set up boto3 with key ', tok('secret.aws_access_key')(r), ' and secret ', ['secret.aws_secret_key', S['secret.aws_secret_key']!(r)], ' in eu-west-1']),
  (r) => row('chat', ['my password is ', ['secret.password', password(r)], ' but the site says it is wrong, why?']),
  (r) => row('chat', ['debug this jwt for me: ', ['secret.jwt', jwt(r)]]),
  (r) => row('chat', ['connect to postgres://app_user:', ['secret.connection_string', password(r).replace(/[@/:?#]/g, 'x')], `@${host(r)}:5432/orders and list the tables`]),
  // --- .env files
  (r) => {
    const a = anyToken(r);
    const b = anyToken(r);
    return row('config', [`# .env\nNODE_ENV=production\nPORT=${r.int(3000, 9000)}\n${ENV_NAMES[a[0]]}=`, a, `\n${ENV_NAMES[b[0]]}=`, b, '\nDB_PASSWORD=', ['secret.password', password(r).replace(/[\s#"'$`\\]/g, '9')], '\nLOG_LEVEL=info\n']);
  },
  (r) => row('config', ['export AWS_ACCESS_KEY_ID=', tok('secret.aws_access_key')(r), '\nexport AWS_SECRET_ACCESS_KEY=', ['secret.aws_secret_key', S['secret.aws_secret_key']!(r)], '\nexport AWS_DEFAULT_REGION=us-east-1\n']),
  (r) => row('config', ['[default]\naws_access_key_id = ', tok('secret.aws_access_key')(r), '\naws_secret_access_key = ', ['secret.aws_secret_key', S['secret.aws_secret_key']!(r)], '\n']),
  // --- YAML / JSON config
  (r) => row('config', [`database:\n  host: ${host(r)}\n  port: 5432\n  user: svc_orders\n  password: "`, ['secret.password', password(r).replace(/"/g, '!')], '"\nredis:\n  url: redis://default:', ['secret.connection_string', r.chars(BASE62, 24)], '@cache.internal:6379/0\n']),
  (r) => row('config', ['spring.datasource.url=jdbc:mysql://', host(r), ':3306/shop\nspring.datasource.username=shop\nspring.datasource.password=', ['secret.password', password(r).replace(/[\s#]/g, '7')], '\n']),
  (r) => row('config', ['{\n  "type": "service_account",\n  "project_id": "acme-analytics-', r.digits(6), '",\n  "private_key_id": "', ['secret.gcp_service_account_key', S['secret.gcp_service_account_key']!(r)], '",\n  "private_key": "', ['secret.private_key', pem(r, true)], '\\n",\n  "client_email": "', ['pii.email', 'etl@acme-analytics.iam.gserviceaccount.com'], '"\n}']),
  (r) => row('config', ['DefaultEndpointsProtocol=https;AccountName=acmestore', r.digits(3), ';AccountKey=', ['secret.azure_key', S['secret.azure_key']!(r)], ';EndpointSuffix=core.windows.net']),
  (r) => row('config', ['Endpoint=sb://acme-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=', ['secret.azure_key', `${r.chars(BASE62 + '+/', 43)}=`]]),
  (r) => row('config', ['slack:\n  webhook: ', tok('secret.slack_webhook')(r), '\n  channel: "#alerts"\n']),
  (r) => row('config', ['client_id: web-portal\nclient_secret: ', ['secret.generic', genericSecret(r)], '\nredirect_uri: https://portal.acme-corp.com/callback\n']),
  (r) => row('config', ['{"auth": {"api_key": "', ['secret.generic', genericSecret(r)], '", "timeout_ms": ', String(r.int(100, 9000)), '}}']),
  (r) => row('config', ['//registry.npmjs.org/:_authToken=', tok('secret.npm_token')(r), '\n']),
  // --- code
  (r) => row('code', ['import openai\n\nclient = openai.OpenAI(api_key="', tok('secret.openai_api_key')(r), '")\nresp = client.chat.completions.create(model="gpt-4o", messages=msgs)\n']),
  (r) => row('code', ["const anthropic = new Anthropic({ apiKey: '", tok('secret.anthropic_api_key')(r), "' });\n"]),
  (r) => row('code', ["stripe.api_key = '", tok('secret.stripe_key')(r), "'\ncharge = stripe.Charge.create(amount=", String(r.int(100, 99999)), ", currency='usd')\n"]),
  (r) => row('code', ['const client = twilio(accountSid, "', tok('secret.twilio_key')(r), '");\n']),
  (r) => row('code', ["sg = SendGridAPIClient('", tok('secret.sendgrid_key')(r), "')\n"]),
  (r) => row('code', ['SECRET_KEY = "', ['secret.generic', genericSecret(r)], '"\nDEBUG = False\nALLOWED_HOSTS = ["*"]\n']),
  (r) => row('code', ['conn = psycopg2.connect("postgresql://etl:', ['secret.connection_string', password(r).replace(/[@/:?#"\s]/g, 'q')], `@${host(r)}/warehouse")\n`]),
  (r) => row('code', ["mongoose.connect('mongodb+srv://admin:", ['secret.connection_string', r.chars(BASE62, 16)], "@cluster0.ab1cd.mongodb.net/app?retryWrites=true');\n"]),
  (r) => row('code', ['headers = {"Authorization": "Bearer ', ['secret.jwt', jwt(r)], '"}\n']),
  (r) => row('code', ['# deploy key\nKEY = """', ['secret.private_key', pem(r)], '"""\n']),
  // --- shell and CI
  (r) => row('shell', ['$ curl -H "Authorization: Bearer ', anyToken(r), '" https://api.example.net/v1/me']),
  (r) => row('shell', ['$ git clone https://x-access-token:', tok('secret.github_token')(r), '@github.com/acme/infra.git']),
  (r) => row('shell', ['$ mysql -h ', host(r), ' -u root --password=', ['secret.password', password(r).replace(/[\s'"`$\\!]/g, '5')], ' shop < dump.sql']),
  (r) => row('shell', ['$ docker login -u ci --password ', ['secret.password', password(r).replace(/[\s'"`$\\!]/g, '5')], ' registry.acme-corp.com']),
  (r) => row('log', [`${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)} [ci] using token `, anyToken(r), ` for job ${r.digits(7)}`]),
  (r) => row('shell', ['$ cat ~/.ssh/id_ed25519\n', ['secret.private_key', pem(r)], '\n']),
  // --- more places and formats
  (r) => row('config', ['DIGITAL_OCEAN_TOKEN=', ['secret.platform_token', platformToken(r)], '\nREGION=fra1\n']),
  (r) => row('chat', ['is this token still valid? ', ['secret.platform_token', platformToken(r)], ' it was in our CI logs']),
  (r) => row('config', ['{"web": {"client_id": "', r.digits(12), '-', r.chars(BASE62.toLowerCase(), 32), '.apps.googleusercontent.com", "client_secret": "', ['secret.gcp_oauth_secret', `GOCSPX-${r.chars(BASE62 + '-_', 28)}`], '"}}']),
  (r) => row('config', ['AZURE_TENANT_ID=', r.chars('0123456789abcdef', 8), '-', r.chars('0123456789abcdef', 4), '-4', r.chars('0123456789abcdef', 3), '-a', r.chars('0123456789abcdef', 3), '-', r.chars('0123456789abcdef', 12), '\nAZURE_CLIENT_SECRET=', ['secret.azure_key', `${r.chars(BASE62, 3)}${r.int(7, 8)}Q~${r.chars(BASE62 + '_-', 34)}`], '\n']),
  (r) => row('shell', ['$ curl -u deploy:', ['secret.password', password(r).replace(/[\s'"`$\\!:@]/g, '3')], ' https://ci.acme-corp.com/job/build/api/json']),
  (r) => row('config', ['apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ', ['secret.password', Buffer.from(password(r)).toString('base64')], '\n']),
  (r) => row('config', ['services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD=', ['secret.password', password(r).replace(/[\s'"`$\\]/g, '4')], '\n      - POSTGRES_USER=app\n']),
  (r) => row('chat', ['I get "invalid_grant" with this access token: ', ['secret.gcp_oauth_secret', `ya29.${r.chars(BASE62 + '-_', r.int(120, 180))}`]]),
  (r) => {
    const t = rareToken(r);
    return row('config', [`ci:\n  env:\n    ${ENV_NAMES[t[0]] ?? 'TOKEN'}: `, t, '\n    NODE_VERSION: "22"\n']);
  },
  (r) => row('chat', ['rotated it already, the old one was ', rareToken(r), ' so no worries']),
  (r) => row('json', ['{"provider": "x", "credentials": {"key": "', rareToken(r), `", "created": "${r.int(2020, 2025)}-0${r.int(1, 9)}-1${r.int(0, 9)}"}}`]),
  (r) => row('log', ['amqp connection established amqp://worker:', ['secret.connection_string', r.chars(BASE62, 20)], `@rabbit.internal:5672/ (channel ${r.int(1, 9)})`]),
];
