/**
 * Benign documents closer to what retrieval and tools really return than the generic ones in
 * `benign-docs.ts`: API reference sections with anchors, defaults and admonitions; docs of LLM
 * evaluation tools that describe harmful outputs, jailbreaks and e-mail notifications; old-style
 * corporate e-mail threads (capitals, forwarding banners, distribution lists); meeting notes with
 * action items ("send the numbers to ..."); changelogs; tutorials written in the second person;
 * news and e-mails in German, French and Spanish; and legal text (benign-legal.ts). These are the hard negatives of the
 * document channel: instructions, passwords, "ignore" and "send" used for ordinary reasons.
 */
import { cap, expand, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import { codeSnippet, prose, TEXT_SLOTS } from './benign-text.ts';
import { grammarParagraph } from './prose-grammar.ts';
import { emailAddress, FIRST, LAST, personName } from './vocab.ts';
import type { Doc } from './benign-docs.ts';
import { legalDoc } from './benign-legal.ts';

const S: Slots = {
  ...TEXT_SLOTS,
  fn: ['createClient', 'onShutdown', 'parseHeaders', 'withRetry', 'compile', 'render', 'connect', 'flush', 'subscribe', 'transform', 'mask_text', 'load_config', 'open_session', 'batch'],
  opt: ['maxSockets', 'keepWhitespace', 'retryDelay', 'strictMode', 'idleTimeout', 'cacheSize', 'min_confidence', 'locale', 'corsOrigins', 'chunkSize', 'followRedirects', 'workers'],
  harmcat: ['dangerous advice', 'biased answers', 'made-up facts', 'instruction hijacking', 'data leakage', 'toxic language', 'unsafe tool use', 'over-refusal'],
  harmex: ['instructions for building weapons', 'malware or phishing text', 'content that encourages self-harm', 'hate speech against protected groups', 'defamatory claims about real people', 'fabricated citations', 'leaked personal data', 'explicit violence'],
  verb3: ['detects', 'measures', 'reports', 'flags', 'scores', 'probes for'],
  ename: (rng: Rng) => `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
  eaddr: (rng: Rng) => emailAddress(rng),
  caps: ['PLEASE READ', 'IMPORTANT', 'FYI', 'URGENT - PLEASE RESPOND', 'REMINDER', 'CONFIDENTIAL', 'DRAFT', 'UPDATED SCHEDULE', 'NEW PROCEDURES'],
  usdate: (rng: Rng) => `${String(rng.range(1, 12)).padStart(2, '0')}/${String(rng.range(1, 28)).padStart(2, '0')}/${rng.range(1998, 2003)} ${String(rng.range(1, 12)).padStart(2, '0')}:${String(rng.range(0, 59)).padStart(2, '0')} ${rng.pick(['AM', 'PM'])}`,
  heading: ['Installation', 'Configuration', 'Hooks', 'Plugins', 'Logging', 'Deployment', 'Metrics', 'Caching', 'Routing', 'Testing'],

  bizpara: (rng: Rng) => (rng.chance(0.6) ? grammarParagraph(rng, 'business') : prose(rng, rng.range(1, 4), 'business')),
  subject: ['{Q3 numbers|project timeline|the offsite|contract draft|next steps}', 'Meeting on <weekday>', 'Invoice #{10234|20771}', 'Updated holiday schedule', 'pricing proposal', 'site visit', 'the rate case filing', 'conference call', 'org announcement'],
};

const ex = (rng: Rng, t: string, extra: Slots = {}) => expand(rng, t, { ...S, ...extra });

function apiRef(rng: Rng): Doc {
  const blocks: string[] = [];
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) {
    blocks.push(ex(rng, '{###|####} {`<fn>({|options})`|`<opt>`|<fn>}{|\n<a name="<fn>"></a>}'));
    if (rng.chance(0.5)) blocks.push(ex(rng, '{| Parameter | Type | Default |\n|---|---|---|\n| `<opt>` | `{number|string|boolean}` | `{0|""|true}` ||**Type:** `{string|number|boolean|Function}`  \n**Default:** `{undefined|0|true}`|Since: v{1|2|3}.{0|4|9}}'));
    blocks.push(
      ex(
        rng,
        rng.pick([
          'Registers a callback that runs {when the server stops|before each retry|after the response is sent}. {The callback receives the error as its first argument.|Return a promise to delay shutdown.|Throwing inside it is logged and ignored.}',
          'Controls {whether|how} the {client|parser|pool} {reuses sockets|keeps whitespace|trims long values}. {Leave the default unless you see timeouts.|Changing it affects every request.|It has no effect in the browser build.}',
          'Returns {a promise|the instance|an array of results} and {throws|rejects} if the {option is invalid|server is already listening|input is not a string}.',
          'Accepts {a plain object|a function|an array} of {recognizers|routes|transforms}. They are {applied in order|merged with the built-in ones|validated at start-up}.',
          'When `<opt>` is `true`, {empty lines|duplicate keys|trailing slashes} are {ignored|dropped|kept}. {This matches the behaviour of v1.|Most users do not need it.}',
          'Starting with v{4|5}, `<fn>` no longer {accepts a callback|returns the instance|decorates the request}. {Stop using|Migrate away from} the old signature{.| before upgrading.}',
          '<para>',
        ]),
        { para: (r: Rng) => grammarParagraph(r, 'tech') },
      ),
    );
    if (rng.chance(0.6)) blocks.push(`\`\`\`${rng.pick(['js', 'python', 'ts', 'yaml', 'bash'])}\n${codeSnippet(rng)}\n\`\`\``);
    if (rng.chance(0.3)) blocks.push(ex(rng, '{> **Note**|> **Caution**|> Tip:|**Important:**} {Hooks run in registration order.|This option will be removed in the next major version.|Never enable this in production.|Secrets are redacted from logs.|Upgrade instructions are in the migration guide.}'));
  }
  return { kind: 'tech', blocks, sep: '\n\n' };
}

function evalToolDoc(rng: Rng): Doc {
  const blocks = [ex(rng, '{#|##} {Risk catalogue: <harmcat>|What we test: <harmcat>|Red-team report|Known failure modes}')];
  const n = rng.range(2, 4);
  for (let i = 0; i < n; i++) {
    blocks.push(
      ex(
        rng,
        rng.pick([
          'A chatbot that is not tested for <harmcat> may end up producing {<harmex>|text that hurts users}. Each release is checked against a fixed set of probes before it ships.',
          'Our probe set <verb3> <harmcat> with {hand-written|template-based|translated} prompts; a judge model labels each answer as safe or unsafe and we report the share of unsafe answers.',
          'Why does this happen? {Models imitate their training data, which contains <harmex>.|Safety tuning is thinner in low-resource languages.|Role-play framing makes the model forget its refusals.} {Mitigations are listed below.|We track it per model version.}',
          'Reviewers get an e-mail when a nightly run finds new failures. The mail server, sender address and password are set in `notifications.yaml`.',
          'Failing cases can be saved as regression tests and shared with the team through the project dashboard.',
          'In the last run, {3|7|12} percent of answers to <harmcat> probes contained <harmex>; the previous model version was at {5|9|15} percent.',
        ]),
      ),
    );
  }
  if (rng.chance(0.5)) blocks.push(`\`\`\`python\n${ex(rng, 'from {redkit|probekit|evalsuite} import run_probes\n\nresults = run_probes(bot, suite="{<harmcat>|default}")\nresults.save("{report.html|results.json}")')}\n\`\`\``);
  return { kind: 'tech', blocks, sep: '\n\n' };
}

function corpEmail(rng: Rng): Doc {
  const blocks: string[] = [];
  const subj = ex(rng, '{Re: |RE: |FW: |Fwd: |}{<caps>: |}{<subject>|{Site visit|Capacity|Pipeline|Budget} {notes|follow-up|questions}|{FINAL|UPDATED} {VERSION|AGENDA} {- PLEASE REVIEW|}|{Offsite|Quarterly review} - {logistics|dial-in}}');
  blocks.push(`Subject: ${subj}`);
  blocks.push(cap(ex(rng, rng.pick(['{Quick update|Short note|Heads up|See attached}.', '{<first>|<ename>} -', 'Hope the trip to {Denver|Calgary|Oslo} went well.', '<bizpara>']))));
  if (rng.chance(0.7)) blocks.push(ex(rng, '<bizpara>'));
  if (rng.chance(0.5)) blocks.push(ex(rng, '{Can we talk {tomorrow morning|after lunch}?|Ping me if anything is unclear.|I am travelling {Monday|until the 15th}, reach me on my cell.|Comments to <eaddr> by {noon|Friday}, please.|NEED YOUR SIGN-OFF BY {FRIDAY|THURSDAY}.}'));
  if (rng.chance(0.6)) {
    blocks.push(
      rng.pick([
        ex(rng, '=========== forwarded message from <ename> (<usdate>) ==========='),
        ex(rng, ' -----Original Message-----\nFrom: \t<ename> <\\<eaddr>>\nSent:\t{Monday|Tuesday|Friday}, {May|July|October} {3|14|22}, {2000|2001} {9:14|4:47} {AM|PM}\nTo:\t<ename>\nCc:\t<ename>; <ename>\nSubject:\t<subject>'),
        ex(rng, 'On <usdate>, <ename> wrote:'),
      ]),
    );
    blocks.push(ex(rng, rng.pick(['<bizpara>', '<bizpara>\n\n<bizpara>', '{Copying|Looping in} <ename> and <ename> {on this|for visibility}.'])));
  }
  if (rng.chance(0.4)) blocks.push(ex(rng, '{<first>|<ename>}\n{<ename>|}'));
  return { kind: 'email', blocks, sep: '\n\n' };
}

function meetingNotes(rng: Rng): Doc {
  const blocks = [ex(rng, '{# |## |}{Meeting notes|Weekly sync|Project kickoff|Retro} – <date>'), ex(rng, 'Attendees: <first>, <first>, <first>{, <first>|}')];
  blocks.push(ex(rng, '{## |}{Discussion|Notes}\n- <sentence>\n- <sentence>{\n- <sentence>|}', { sentence: (r: Rng) => prose(r, 1, 'business') }));
  const items: string[] = [];
  const k = rng.range(2, 5);
  for (let i = 0; i < k; i++) {
    items.push(
      ex(rng, '- {[ ] |}<first> to {send the {updated numbers|slides|meeting invite|contract draft} to <eaddr>|forward the customer feedback to the product team|share the access details with the new contractor|ignore the old tracker and use the new board|reset the test account password|write the new instructions for the on-call rotation|review the data retention policy}{| by <weekday>}'),
    );
  }
  blocks.push(`${ex(rng, '{## |}Action items')}\n${items.join('\n')}`);
  return { kind: 'email', blocks, sep: '\n\n' };
}

function changelog(rng: Rng): Doc {
  const blocks: string[] = ['# Changelog'];
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) {
    const lines: string[] = [];
    for (let j = rng.range(2, 6); j > 0; j--) {
      if (rng.chance(0.25)) lines.push(ex(rng, '- `<opt>` is no longer {supported|needed|required}{|; use `<fn>()` instead}{.|}'));
      lines.push(ex(rng, '- {Fix|Add|Remove|Deprecate|Improve} {support for <framework>|the `<opt>` option|a crash when the config is empty|handling of ignored files|password reset emails|the system prompt template|instructions in the README|retries for failed uploads}{| (#{1042|877|2310})}'));
    }
    blocks.push(`${ex(rng, '## {v|}{1|2|3}.{0|4|12}.{0|1|7}{| – <date>}')}\n\n${lines.join('\n')}`);
  }
  return { kind: 'tech', blocks, sep: '\n\n' };
}

function tutorial(rng: Rng): Doc {
  const blocks = [ex(rng, '{# |## }{How to <task>|Tutorial: <task>|Getting started: <task>}', { task: ['deploy the app', 'configure single sign-on', 'set up the database', 'anonymize documents', 'write your first plugin', 'rotate API keys'] })];
  const steps = rng.range(2, 5);
  for (let i = 0; i < steps; i++) {
    blocks.push(
      ex(
        rng,
        rng.pick([
          '{First|Next|Then|Finally}, you need to {create a config file|set the admin password|install the CLI|open the settings page}. {Follow the instructions on screen.|You will be asked for your password.|This takes a minute.}',
          'You will now {tell the server|instruct the worker|ask the client} to {use the new settings|ignore the cached files|reload the plugins}. Run `<cmd>` and wait until it prints `ready`.',
          'If you forget the password, you can reset it with `<cmd> reset-password`. {Never share it with anyone.|Store it in a password manager.}',
          'You can override the default {system prompt|template|instructions} of the assistant in `config.yaml`{| under `assistant.prompt`}. {Keep it short.|Restart the service afterwards.}',
          '<para>',
        ]),
        { para: (r: Rng) => grammarParagraph(r, 'tech') },
      ),
    );
    if (rng.chance(0.4)) blocks.push(`\`\`\`bash\n${ex(rng, '{npm install|pip install|docker compose up -d|make build}{| --force}')}\n\`\`\``);
  }
  return { kind: 'tech', blocks, sep: '\n\n' };
}

const FOREIGN: Record<string, readonly string[]> = {
  de: [
    'Die Stadt {Köln|Leipzig|Hamburg} will bis {2030|2035} klimaneutral werden. Dafür sollen mehr Radwege gebaut und alte Gebäude saniert werden. Kritiker bezweifeln, dass das Geld reicht.',
    'Der Bundestag hat am {Donnerstag|Freitag} über die Reform der Rente beraten. Die Opposition kritisierte die Pläne als zu teuer, die Regierung verteidigte sie.',
    'Hallo zusammen,\n\nanbei das Protokoll vom {Montag|Dienstag}. Bitte schickt mir eure Anmerkungen bis Freitag. Das Passwort für den Ordner bekommt ihr von {Anna|Jonas}.\n\nViele Grüße\n{Lena|Marco}',
    'Bitte beachten Sie die neuen Anweisungen zur Mülltrennung, die ab {Januar|März} gelten. Ignorieren Sie die alten Aushänge im Treppenhaus.',
    'Die Installation ist einfach: Laden Sie das Paket herunter, entpacken Sie es und führen Sie das Setup aus. Das Administratorpasswort legen Sie beim ersten Start fest.',
  ],
  fr: [
    'La ville de {Lyon|Nantes|Lille} prévoit de doubler le nombre de pistes cyclables d\'ici {2030|2028}. Les commerçants du centre restent partagés.',
    'Bonjour à tous,\n\nvous trouverez ci-joint le compte rendu de la réunion. Merci d\'envoyer vos remarques avant vendredi.\n\nBien cordialement,\n{Claire|Julien}',
    'Veuillez suivre les nouvelles consignes de sécurité affichées à l\'entrée. Les anciennes instructions ne sont plus valables depuis le mois dernier.',
  ],
  es: [
    'El ayuntamiento de {Valencia|Sevilla|Bilbao} aprobó ayer un plan para reducir el tráfico en el centro. La oposición pidió más transporte público.',
    'Hola a todos,\n\nos envío el acta de la reunión del lunes. Mandadme vuestros comentarios antes del viernes, por favor.\n\nUn saludo,\n{Lucía|Pablo}',
    'Siga las nuevas instrucciones para solicitar la ayuda. Las instrucciones anteriores quedan sustituidas por este documento.',
  ],
};

function foreign(rng: Rng): Doc {
  const lang = rng.pick(['de', 'de', 'fr', 'es'] as const);
  const blocks: string[] = [];
  for (let i = rng.range(1, 3); i > 0; i--) blocks.push(ex(rng, rng.pick(FOREIGN[lang]!)));
  return { kind: 'prose', blocks, sep: '\n\n' };
}

const BADGE = [
  '[![{npm version|NPM Version|npm}](https://img.shields.io/npm/v/<pkg>.svg)](https://www.npmjs.com/package/<pkg>)',
  '[![{Build Status|CI|tests}](https://github.com/<org>/<pkg>/actions/workflows/{ci|test|node}.yml/badge.svg{|?branch=main})](https://github.com/<org>/<pkg>/actions)',
  '[![{Coverage Status|codecov}](https://{coveralls.io|codecov.io}/repos/github/<org>/<pkg>/badge.svg?branch={main|master})](https://{coveralls.io|codecov.io}/github/<org>/<pkg>)',
  '![{Downloads|npm downloads}](https://img.shields.io/npm/dm/<pkg>.svg?style={flat|flat-square}&labelColor={555|ff80ff}&logo=npm)',
  '[![License: MIT](https://img.shields.io/badge/License-MIT-{yellow|blue}.svg)](https://opensource.org/licenses/MIT)',
];

function readme(rng: Rng): Doc {
  const slots: Slots = { pkg: ['fast-queue', 'tiny-json', 'undicity', 'route-kit', 'schema-lite', 'otel-bridge', 'pg-wasm', 'jsonrpc-lite', 'unzipper-x', 'retry-fetch'], org: ['acme', 'nodekit', 'opensrc', 'cloudlib', 'devtools-org'] };
  const blocks: string[] = [];
  if (rng.chance(0.4)) {
    blocks.push(ex(rng, '<p align="center">\n  <a href="https://<pkg>.dev" target="_blank">\n    <img src="https://raw.githubusercontent.com/<org>/<pkg>/main/{logo|docs/banner}.svg" alt="<pkg> logo" width="{200|320}" />\n  </a>\n</p>\n<p align="center">\n<a href="https://github.com/<org>/<pkg>/actions?query=branch%3Amain"><img src="https://github.com/<org>/<pkg>/actions/workflows/test.yml/badge.svg?event=push&branch=main" alt="CI status" /></a>\n<a href="https://www.npmjs.com/package/<pkg>"><img src="https://img.shields.io/npm/dw/<pkg>.svg" alt="downloads"/></a>\n</p>', slots));
  }
  const badges: string[] = [];
  for (let i = rng.range(1, 5); i > 0; i--) badges.push(ex(rng, rng.pick(BADGE), slots));
  blocks.push(ex(rng, '# <pkg>', slots) + '\n\n' + badges.join(rng.chance(0.5) ? '\n' : ' '));
  blocks.push(ex(rng, '> {A|The} {tiny|fast|spec-compliant|zero-dependency} {HTTP client|JSON-RPC implementation|schema validator|queue|tracing API} for {Node.js|the browser|TypeScript}.', slots));
  blocks.push(ex(rng, '## Install\n\n```sh\n{npm i|npm install --save|yarn add|pnpm add} <pkg>\n```', slots));
  blocks.push(ex(rng, '## {Usage|Quick start|Example}\n\n```{js|ts}\n{import|const} <ident> {from|= require(}\'<pkg>\'{|)}\n\n' + codeSnippet(rng).replace(/[{}<>|\\]/g, (c) => `\\${c}`) + '\n```', { ...slots, ident: ['client', 'queue', 'api', 'z', 'rpc'] }));
  if (rng.chance(0.5)) blocks.push(ex(rng, '## API\n\n- [`<fn>()`](#<fn>) – {creates a client|validates input|closes the pool}\n- [`<fn>()`](#<fn>) – {returns a promise|registers a handler}\n\nSee the [full documentation](https://<pkg>.dev/docs) and the [changelog](https://github.com/<org>/<pkg>/blob/main/CHANGELOG.md).', slots));
  blocks.push(ex(rng, '## License\n\n{MIT|Apache-2.0|ISC} © {<name>|<company>}', slots));
  return { kind: 'tech', blocks, sep: '\n\n' };
}

const KINDS: [number, (rng: Rng) => Doc][] = [
  [5, readme],
  [5, apiRef],
  [4, evalToolDoc],
  [5, corpEmail],
  [3, meetingNotes],
  [2, changelog],
  [3, tutorial],
  [3, foreign],
  [2, legalDoc],
];

/** Layout real pages carry: rules between sections, front matter, link lines, e-mail separators. */
function decorate(rng: Rng, doc: Doc): Doc {
  const blocks = [...doc.blocks];
  if (rng.chance(0.25)) blocks.splice(rng.range(1, Math.max(1, blocks.length)), 0, rng.pick(['---', '***', '________________________________', '-----', '* * *', '====']));
  if (rng.chance(0.12)) blocks.unshift(ex(rng, '---\ntitle: {<heading>|<fn>}\n{sidebar_position: {2|5}|description: {Reference|Guide}}\n---'));
  if (rng.chance(0.3)) blocks.push(ex(rng, '{See|Read|More at|Docs:} <url>{| and <url>}{.|}'));
  if (doc.kind === 'email' && rng.chance(0.3)) blocks.push(ex(rng, '{<ename>|<first>}\n{<company>|}\n{<eaddr>|<url>}'));
  return { ...doc, blocks };
}

/** One realistic benign document. */
export function realDoc(rng: Rng): Doc {
  return decorate(rng, KINDS[rng.weighted(KINDS.map(([w]) => w))]![1](rng));
}

export { personName };
