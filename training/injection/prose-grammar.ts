/**
 * Compositional sentences with a broad vocabulary, for the long benign text the model must learn
 * to leave alone: technical documentation, business and regulatory correspondence, explanatory
 * answers in the first person. Each sentence is subject + verb + object + modifier drawn from
 * lists of a few dozen entries, which yields far more distinct wordings than fixed sentences.
 */
import { cap, expand, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import { COMMON_SLOTS, url } from './vocab.ts';

const w = (s: string) => s.split('|').map((x) => x.trim()).filter(Boolean);

const S: Slots = {
  ...COMMON_SLOTS,
  tsubj: w(`the server|this plugin|the router|each request|the schema compiler|the validator|the logger|a hook|the client|the parser|the recognizer|
    the analyzer|the anonymizer|the pipeline|the engine|the test suite|the CLI|the worker|the database driver|the serializer|the scheduler|
    the cache|the reverse proxy|the SDK|the decorator|the middleware|the adapter|the importer|the exporter|every route|the reply object|
    the context manager|the tokenizer|the evaluation harness|the scan report|the model wrapper|the dataset loader|the queue consumer`),
  tverb: w(`validates|parses|serializes|registers|returns|emits|caches|logs|rejects|accepts|transforms|exposes|wraps|loads|resolves|decorates|
    encrypts|masks|detects|compiles|generates|collects|forwards|retries|streams|buffers|normalizes|redacts|indexes|aggregates|reports|
    computes|stores|injects|overrides|ignores|skips|merges|splits|exports`),
  tobj: w(`the payload|incoming requests|the response body|a JSON schema|custom properties|the configuration object|entities in the text|a promise|
    an error object|route handlers|the content type|registered plugins|environment variables|the request headers|a stream of events|the query string|
    the connection pool|metrics for each call|the default options|personally identifiable information|the evaluation results|test cases|
    the knowledge base|each document|the model predictions|the log level|a list of findings|the encoded value|the original text|the session cookie`),
  tmod: w(`before the handler runs|at start-up|for every route|when the option is enabled|by default|asynchronously|in the order they were registered|
    unless you override it|if the body is empty|during the build|on each request|after validation|in production|in development mode|
    once per process|for backwards compatibility|without blocking the event loop|in a separate thread|as soon as it is available|
    when the limit is reached|for each entity type|with a configurable threshold|behind a feature flag|on a best-effort basis`),
  tlink: (rng: Rng) => `[${expand(rng, '{the reference|this guide|the API docs|the changelog|the FAQ|the migration notes|Ajv|the plugin list|our examples}', S)}](${url(rng)})`,
  tcode: w('`register()`|`onRequest`|`reply.send()`|`fastify.inject()`|`analyze()`|`AnalyzerEngine`|`config.yaml`|`--verbose`|`npm test`|`RecognizerResult`|`preHandler`|`setErrorHandler`|`addHook`|`schema.body`|`logLevel`|`process.env`|`await app.ready()`|`scan()`|`evaluate()`'),
  bsubj: w(`the committee|our counsel|the trading desk|the regulator|the state commission|the draft|the utility|the board|the working group|
    the vendor|legal|the finance team|our team in <city>|the steering group|the auditors|the customer|the project office|management|the union`),
  bverb: w(`approved|filed|proposed|reviewed|rejected|circulated|scheduled|discussed|revised|signed|postponed|requested|finalized|questioned|
    confirmed|summarized|forwarded|estimated|negotiated|agreed to`),
  bobj: w(`the revised tariff|the rate case|the settlement|the draft language|market-based rates|the comments|the budget|the contract amendment|
    the transmission plan|the quarterly forecast|the hiring plan|the press release|the term sheet|the audit findings|the new pricing|
    the meeting minutes|the agenda for <weekday>|the price cap proposal|the capacity auction results|the interconnection agreement`),
  bmod: w(`last week|before the hearing|by Friday|in California|for the third time|after a long discussion|with minor edits|pending approval|
    as expected|without objection|earlier today|at yesterday's call|in principle|subject to legal review|ahead of the deadline`),
  asubj: w(`I would recommend|In my experience,|As a <job>, I|Personally, I|I usually|My advice is to|I find that it helps to|A good approach is to|
    From what I have seen,|If I were you, I would`),
  averb: w(`start with|focus on|avoid|plan for|think about|write down|compare|set aside time for|ask about|keep track of|look for|practice`),
  aobj: w(`a realistic schedule|the basics|small, steady steps|the most common mistakes|a clear budget|your priorities|the long-term costs|
    feedback from others|one thing at a time|a simple checklist|good habits|the details that matter most`),
};

const TECH = [
  '<tsubj> <tverb> <tobj> <tmod>.',
  'You can configure how <tsubj> <tverb> <tobj> with <tcode>.',
  'If you need to change how <tsubj> <tverb> <tobj>, use <tcode> instead.',
  'Note that <tsubj> <tverb> <tobj> <tmod>.',
  'For example, <tsubj> <tverb> <tobj> <tmod>, which keeps the code simple.',
  'This is useful when <tsubj> <tverb> <tobj> <tmod>.',
  'See <tlink> for details.',
  'Read more about <tcode> in <tlink>.',
  '<tsubj> {does not|never} <tverb2> <tobj> <tmod>.',
  'By default <tsubj> <tverb> <tobj>; set <tcode> to change this.',
  'When <tsubj> <tverb> <tobj>, it also <tverb> <tobj>.',
  'The {first|second|last} argument is <tobj>, and the return value is <tobj>.',
];
const BUSINESS = [
  '<bsubj> <bverb> <bobj> <bmod>.',
  'As discussed, <bsubj> <bverb> <bobj> <bmod>.',
  'Please let me know if <bsubj> has any comments on <bobj>.',
  'I have attached <bobj>; <bsubj> <bverb> it <bmod>.',
  'We still need to decide whether to accept <bobj>.',
  'Can you check with <name> whether <bsubj> <bverb> <bobj>?',
  'The numbers in <bobj> look {reasonable|too high|conservative} to me.',
  '<name> will call you <bmod> about <bobj>.',
];
const ANSWER = [
  '<asubj> <averb> <aobj>.',
  '<asubj> <averb> <aobj>, especially if you are new to <topic>.',
  'It depends on your situation, but <asubj> <averb> <aobj>.',
  'There is no single right answer here; many people <averb> <aobj> first.',
];

const VERB2: Slots = { tverb2: (S.tverb as readonly string[]).map((v) => v.replace(/s$/, '')) };

export type ProseStyle = 'tech' | 'business' | 'answer';

export function grammarSentence(rng: Rng, style: ProseStyle): string {
  const list = style === 'tech' ? TECH : style === 'business' ? BUSINESS : ANSWER;
  return cap(expand(rng, rng.pick(list), { ...S, ...VERB2 }));
}

export function grammarParagraph(rng: Rng, style: ProseStyle, n = rng.range(2, 5)): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(grammarSentence(rng, style));
  return out.join(' ');
}

export const PROSE_SLOTS = S;
