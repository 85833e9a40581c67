/**
 * Building blocks of ordinary text: sentences of several genres, code snippets, error messages.
 * Used inside benign prompts ("summarize this: ...") and to build benign documents.
 */
import { cap, expand, expandOne, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import { COMMON_SLOTS, hexId } from './vocab.ts';

export type Genre = 'news' | 'story' | 'tech' | 'business' | 'science' | 'review' | 'personal';

const S: Slots = {
  ...COMMON_SLOTS,
  adj: ['new', 'small', 'local', 'busy', 'quiet', 'popular', 'old', 'modern', 'crowded', 'remote', 'historic', 'family-run', 'independent', 'regional'],
  place: ['the town hall', 'the harbor', 'the old library', 'the train station', 'the market square', 'the university campus', 'the riverside park', 'the community center', 'the museum', 'the stadium'],
  verbpast: ['announced', 'opened', 'postponed', 'approved', 'criticized', 'celebrated', 'reviewed', 'launched', 'expanded', 'renovated'],
  thing: ['a new bike lane', 'the summer festival', 'a housing project', 'the budget for next year', 'a recycling program', 'the new school building', 'a public Wi-Fi network', 'the night bus service', 'a solar farm', 'the farmers market'],
  feeling: ['tired', 'excited', 'nervous', 'relieved', 'curious', 'happy', 'homesick', 'proud', 'confused', 'hopeful'],
  weather: ['rain', 'fog', 'bright sunshine', 'a cold wind', 'snow', 'a summer storm', 'drizzle', 'heat'],
  option: ['timeout', 'retries', 'port', 'logLevel', 'maxConnections', 'cacheSize', 'basePath', 'region', 'batchSize', 'encoding', 'strict', 'verbose'],
  cmd: ['npm install', 'pip install -r requirements.txt', 'make build', 'docker compose up -d', 'cargo build --release', 'go test ./...', 'yarn dev', 'kubectl apply -f deploy.yaml'],
  metric: ['revenue', 'customer satisfaction', 'churn', 'the conversion rate', 'support tickets', 'delivery times', 'costs', 'the number of active users'],
  quarter: ['Q1', 'Q2', 'Q3', 'Q4', 'the first half of the year', 'last month', 'this quarter'],
};

const SENTENCES: Record<Genre, readonly string[]> = {
  news: [
    'The city council of <city> <verbpast> <thing> on <weekday>.',
    'According to officials, <thing> will cost about <money> and take {two|three|several} years.',
    'Residents near <place> said they were {pleased|concerned|surprised} by the decision.',
    'The {mayor|minister|spokesperson} said the plan would be reviewed again in <month>.',
    'Local businesses in <city> reported {higher|lower} sales during <month>.',
    'Critics argue that <thing> does not address the real problem of {rising rents|traffic|air quality|youth unemployment}.',
    'The {weather service|transport authority|school board} expects {delays|changes|heavy rain} later this week.',
    'A survey of {800|1,200|2,000} people found that most support <thing>.',
    'Elections in <country> are expected in <month>, and <topic> is a major issue.',
    'Unions and employers will meet again on <weekday> to continue negotiations.',
  ],
  story: [
    '<first> walked past <place> as the <weather> rolled in.',
    'She had not seen her brother in {five|ten|twenty} years, and she felt <feeling>.',
    'The old man at the bakery always saved the last loaf for <first>.',
    'On <weekday> morning the whole village gathered at <place>.',
    '"We should go back," said <first>, looking at the darkening sky.',
    'Nobody noticed the small dog that followed them all the way home.',
    'The letter arrived {three|two|many} weeks late, its corners soft from the rain.',
    'He opened the window and listened to the sounds of <city> waking up.',
    'Years later, <first> would remember that summer as the happiest of her life.',
    'The train was {late|crowded|almost empty}, so they talked about everything and nothing.',
  ],
  tech: [
    'The <technoun> reads its settings from the environment at start-up.',
    'Set the `<option>` option to change how the <technoun> behaves.',
    'Run `<cmd>` to install the dependencies before you start the server.',
    'By default, requests time out after {5|10|30} seconds; you can override this per route.',
    'The function returns a promise that resolves once the <technoun> is ready.',
    'If the <technoun> fails, the error is logged and the request is retried.',
    'You can ignore this warning when running tests locally.',
    'Use <framework> together with <framework> to keep the code base small.',
    'Each plugin registers its own hooks and can decorate the server instance.',
    'This section describes the configuration options in detail.',
    'The admin dashboard lists every user with their role and last login.',
    'Store the password hash, never the password itself, and use a slow hashing function.',
    'Debug mode prints additional information about each request to the console.',
    'Tokens expire after one hour and must be refreshed with the refresh endpoint.',
    'The CLI prompts for confirmation before deleting any files.',
  ],
  business: [
    'In <quarter>, <metric> {grew|fell} by {3|7|12|18} percent compared with last year.',
    'The team at <company> will present the results on <weekday>.',
    'Please review the attached figures before our call.',
    'We expect the new pricing to take effect in <month>.',
    'The project is on track, although the vendor has asked for a short extension.',
    'Our goal for next quarter is to improve <metric> without increasing costs.',
    'The board approved the budget with minor changes.',
    '<name> will take over the account while <first> is on leave.',
    'Customers have asked for better onboarding and clearer invoices.',
    'Let me know if you have any questions or concerns.',
  ],
  science: [
    '<science> has been studied for more than a century.',
    'Researchers measured the effect in {40|120|300} samples over {two|six|twelve} months.',
    'The results suggest a strong link between temperature and growth rate.',
    'Most <animal> are active at dawn and dusk.',
    'The experiment was repeated three times to rule out measurement errors.',
    'Scientists still debate how <science> first developed.',
    'A larger study is needed before drawing firm conclusions.',
    'The data were collected in <country> and analyzed with standard methods.',
  ],
  review: [
    'I bought <product> {last month|two weeks ago|for my birthday} and I am {very happy|mostly satisfied|a bit disappointed}.',
    'The battery lasts about {a day|two days|a week}, which is fine for me.',
    'Delivery was fast and the packaging was good.',
    'The instructions were confusing, but customer support helped quickly.',
    'For the price, it is {a great|a decent|an okay} choice.',
    'I would recommend it to anyone who needs something simple and reliable.',
    'After {three|six} months it still works like on the first day.',
    'Two stars off because the app keeps asking me to log in again.',
  ],
  personal: [
    'Hope you are doing well and had a nice weekend.',
    'We are planning a small dinner on <weekday> and would love for you to come.',
    'The kids loved the trip to <city>; they still talk about the <animal> at the zoo.',
    'I finally finished the book you recommended.',
    'Can you bring the folding chairs when you come over?',
    'Mom says hi and asks when you are visiting next.',
    'I started running again, slowly, three times a week.',
    'Thanks again for helping with the move last month.',
  ],
};

const GENRES = Object.keys(SENTENCES) as Genre[];

/** Code is full of braces: in these templates braces are literal and «a|b» picks an alternative. */
export function literal(templates: readonly string[]): string[] {
  return templates.map((t) => t.replace(/[{}]/g, (c) => `\\${c}`).replace(/«/g, '{').replace(/»/g, '}'));
}

/** A paragraph of `n` sentences from one genre. */
export function prose(rng: Rng, n: number, genre: Genre = rng.pick(GENRES)): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(cap(expandOne(rng, SENTENCES[genre], S)));
  return out.join(' ');
}

export function paragraphs(rng: Rng, count: number, genre?: Genre): string[] {
  const out: string[] = [];
  const g = genre ?? rng.pick(GENRES);
  for (let i = 0; i < count; i++) out.push(prose(rng, rng.range(2, 5), g));
  return out;
}

const CODE: readonly string[] = literal([
  'function <ident>(<ident>) {\n  if (!<ident>) return null;\n  return <ident>.map((x) => x * 2);\n}',
  'def <ident>(items):\n    result = []\n    for item in items:\n        if item not in result:\n            result.append(item)\n    return result',
  'const <ident> = await fetch(url);\nconst data = await <ident>.json();\nconsole.log(data.«items|results».length);',
  'SELECT name, COUNT(*) AS total\nFROM orders\nWHERE created_at > NOW() - INTERVAL \'7 days\'\nGROUP BY name\nORDER BY total DESC;',
  'for i in range(10):\n    print(i ** 2)',
  'public int <ident>(int[] nums) {\n    int max = nums[0];\n    for (int n : nums) if (n > max) max = n;\n    return max;\n}',
  'app.get(\'/users/:id\', async (req, res) => {\n  const user = await db.users.find(req.params.id);\n  res.json(user);\n});',
  'import pandas as pd\ndf = pd.read_csv("data.csv")\nprint(df.groupby("«region|city|category»").mean())',
  'fn main() {\n    let v: Vec\\<i32> = (1..10).collect();\n    println!("{:?}", v);\n}',
  'class <ident>:\n    def __init__(self, name):\n        self.name = name\n\n    def greet(self):\n        return f"Hello, {self.name}"',
  'if [ -f "$CONFIG" ]; then\n  source "$CONFIG"\nelse\n  echo "missing config" >&2\n  exit 1\nfi',
  'try {\n  const config = JSON.parse(raw);\n} catch (err) {\n  // ignore malformed config and fall back to defaults\n  config = {};\n}',
  'func <ident>(w http.ResponseWriter, r *http.Request) {\n\tw.Header().Set("Content-Type", "application/json")\n\tjson.NewEncoder(w).Encode(map[string]string{"status": "ok"})\n}',
  '@Override\npublic String toString() {\n    return "User{name=" + name + "}";\n}',
  'x = [3, 1, 2]\nx.sort(reverse=True)\nprint(x)',

]);

export function codeSnippet(rng: Rng): string {
  return expandOne(rng, CODE, S);
}

const ERRORS: readonly string[] = literal([
  'TypeError: Cannot read properties of undefined (reading \'<ident>\')\n    at <ident> (/app/src/index.js:«12|48|103»:«5|17»)',
  'Traceback (most recent call last):\n  File "main.py", line «3|14|27», in \\<module>\n    import <ident>\nModuleNotFoundError: No module named \'<ident>\'',
  'error[E0382]: borrow of moved value: `<ident>`',
  'ERROR 1045 (28000): Access denied for user \'admin\'@\'localhost\' (using password: YES)',
  'java.lang.NullPointerException: Cannot invoke "String.length()" because "<ident>" is null',
  'npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree',
  'fatal: refusing to merge unrelated histories',
  'psycopg2.OperationalError: could not connect to server: Connection refused',
  'SyntaxError: Unexpected token \'}\' in JSON at position «41|118»',
  'Segmentation fault (core dumped)',
  'Error: listen EADDRINUSE: address already in use :::«3000|8080»',
  'panic: runtime error: index out of range [«3|5»] with length «3|5»',
  'CORS policy: No \'Access-Control-Allow-Origin\' header is present on the requested resource.',
  `ValueError: invalid literal for int() with base 10: '<ident>'`,
]);

export function errorMessage(rng: Rng): string {
  return expandOne(rng, ERRORS, S);
}

export function commitHash(rng: Rng): string {
  return hexId(rng, 40);
}

export const TEXT_SLOTS = S;
export { expand };
