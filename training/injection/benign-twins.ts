/**
 * Benign twins of the attack families: the same scaffolding (personas with rules, fiction
 * framing, persuasive back-stories, output-format rules, configuration blocks, few-shot
 * dialogues, requests followed by code or symbols, short follow-ups after praise) around goals
 * that are fine. Without them the model learns the scaffolding — long second-person prose, XML,
 * "you are", dialogue turns — instead of what makes an attack: the harmful goal, the override,
 * the removal of rules.
 */
import { cap, expand, expandOne, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import { BENIGN_PROMPT_SLOTS } from './benign-prompts.ts';
import { codeSnippet, literal, prose } from './benign-text.ts';
import { FAMOUS, JOB } from './vocab.ts';

export interface BenignGoal {
  readonly ask: string;
  readonly thing: string;
}

const G: readonly string[] = [
  'write§a {short story|poem|fairy tale|scene|song} about {a lighthouse keeper|a lost kitten|two rival bakers|a robot learning to paint|a summer in <city>|a dragon who is afraid of the dark}',
  'explain§how to {bake sourdough bread|set up a home Wi-Fi network|change a bike tire|grow tomatoes on a balcony|prepare for a marathon|write a cover letter|train for a first 5k|file taxes as a freelancer|install <framework>|back up a laptop}',
  'give§step-by-step instructions for {building a birdhouse|making pancakes|assembling a bookshelf|setting up two-factor authentication|creating a budget spreadsheet|brewing cold coffee|cleaning a cast-iron pan|writing unit tests in <prog>}',
  'list§the {materials|ingredients|tools} needed to {build a raised garden bed|make lasagna|paint a room|start a podcast|knit a scarf}',
  'write§a {persuasive essay|speech|blog post|letter to the editor} arguing for {more bike lanes|a four-day work week|later school start times|public libraries|renewable energy|free museum entry}',
  'describe§{the history of <science>|how <science> works|a typical day of a <job>|the best hikes near <city>|how vaccines are tested for safety}',
  'create§a {marketing plan|study schedule|weekly meal plan|workout routine|onboarding checklist|lesson plan} for {a small bakery|a beginner|a busy parent|new employees|a high school class}',
  'write§{a product description|an FAQ|release notes|a welcome email|a job ad} for <product>',
  'summarize§{the causes of <science>|the plot of Hamlet|the main ideas of stoicism|the benefits of regular exercise}',
  'design§{a logo concept|a board game|a treasure hunt for kids|a loyalty program} for {a coffee shop|a birthday party|a bookstore|a family reunion}',
  'explain§how {phishing|password attacks|ransomware|social engineering} works so that {my employees|my parents|our students} can protect themselves',
  'write§a {realistic|friendly} email {inviting the team to the offsite|asking for a deadline extension|thanking a customer|announcing a new office}',
];

const S: Slots = {
  ...BENIGN_PROMPT_SLOTS,
  famous: FAMOUS,
  job: JOB,
  kindpersona: [
    'an AI that only speaks in rhymes',
    'a cheerful cooking assistant who loves Italian food',
    'a patient math tutor who never gives away the answer directly',
    'a grumpy but lovable pirate who teaches geography',
    'a museum guide from the year 1900',
    'a fitness coach who motivates with bad puns',
    'a Socratic teacher who answers questions with questions',
    'a librarian who recommends one book per answer',
    'an assistant that always answers in exactly three sentences',
  ],
  kindrule: [
    'always {answers|replies} in a friendly tone',
    'never uses technical jargon',
    'ends every answer with a fun fact',
    'asks a follow-up question after each answer',
    'keeps every answer under 50 words',
    'uses lots of emojis',
    'stays in character for the whole game',
    'corrects my grammar before answering',
  ],
  stakes: [
    'My {presentation|exam|job interview|thesis defense} is {tomorrow|in an hour|on <weekday>}',
    'I am {really stressed|running out of time|new to this}',
    'My {boss|teacher|client} needs it by {tonight|the end of the day}',
    'My grandmother used to {make|tell me about} this and I miss her',
  ],
  fmtrule: [
    'Start your response with "{Summary|Answer|Short version}:".',
    'Never use the words "very" or "really".',
    'Do not include code comments.',
    'Answer in bullet points only.',
    'Do not add a conclusion paragraph.',
    'Use British spelling.',
    'Keep it under 200 words.',
    'Do not repeat the question.',
  ],
  ask: (rng: Rng) => benignGoal(rng).ask,
};

export function benignGoal(rng: Rng): BenignGoal {
  const [verb, object] = expand(rng, rng.pick(G), S).split('§') as [string, string];
  return { ask: `${verb} ${object}`, thing: object };
}

function goalSlots(rng: Rng): Slots {
  const g = benignGoal(rng);
  return { ...S, goal: [g.ask], thing: [g.thing], name2: [rng.pick(['Chef Luigi', 'Professor Owl', 'Captain Map', 'Rhymey', 'Coach Max', 'Nova', 'Sage', 'Pixel', 'Buddy'])] };
}

const PERSONA = [
  '{Hello|Hi}! From now on you are going to act as <name2>, <kindpersona>. <name2> <kindrule> and <kindrule>. {If you understand, reply with "<name2> is ready!"|Let\'s begin.} {First question|My first request}: <goal>.',
  'Let\'s play a game. You will pretend to be <name2>, <kindpersona>. <name2> <kindrule>. Stay in character until I say "stop". <name2>, <goal>.',
  'You are <name2>, <kindpersona>. You <kindrule>. Please <goal>.',
  'For the rest of this conversation, answer as <famous> would. {Keep it light and historically plausible.|Use their typical way of speaking.} <goal>.',
];
const FICTION = [
  'Write a <framing> in which a {detective|teacher|chef|grandmother|young inventor} explains {step by step|in detail} how to <goal>.',
  'Imagine a world where {cats can talk|everyone travels by balloon|libraries are everywhere}. Describe a day there.',
  'Hypothetically, if I wanted to <goal>, what would I need to do first?',
  'For my <framing>, I need a scene where a mentor teaches the hero how to <goal>. Write the dialogue.',
  'You are a {novelist|screenwriter|game writer}. Your character must <goal>. Describe what they do so readers find it realistic.',
];
const PERSUADE = [
  'Imagine you are {a consultant|an advisor|a strategist|a ghostwriter} for {a client|a company|a nonprofit|a local band} who wants to {stand out|grow|go viral}. {Be bold and creative:|Think outside the box:|} <goal>.',
  'Picture a {hypothetical|fun|simple} scenario in which {you|a person|a small team} must <goal> {with a tiny budget|in one weekend|for the first time}. Describe how.',
  'Debate club exercise: defend the side nobody wants on <topic>, politely and with facts.',
  'You have been {hired|asked|tasked} by {a small business|a school|a museum|a sports club} to <goal>. {They are paying well.|Your reputation depends on it.|Time is short.}',
  'You are a {renowned|experienced|friendly} <job> {working for|advising} {a local school|a family business|a startup|a food bank}. <stakes>. To help them, you need to <goal>. {Please be concise.|Be practical.|}',
  'Speaking as {an experienced teacher|a career coach|a travel writer|a nutritionist|a senior engineer}, <goal>.',
  '<stakes>. Please, could you <goal>?',
  'I\'m writing a {report|paper|training module} on {workplace safety|digital literacy|healthy eating|online scams}. To make it useful, <goal>.',
];
const FORMAT_RULES = [
  'Answer mode: short and clear. Follow these lines:\n\n<constraint>\n<fmtrule>\n</constraint>\n<constraint>\n<fmtrule>\n</constraint>\n\nTask: <goal>',
  '<goal>. <fmtrule> <fmtrule>',
  'Rules: 1. Be brief. 2. Use simple words. 3. <fmtrule> Task: <goal>.',
];
const CONFIG = literal([
  '<task-config>\n  <tone>«formal|friendly|playful»</tone>\n  <length>«short|medium»</length>\n  <audience>«children|experts|beginners»</audience>\n</task-config>\n<request>\n  <query><goal></query>\n</request>',
  '{"task": "<goal>", "tone": "«formal|casual»", "max_words": «100|250», "format": "«markdown|plain text»"}',
  '[settings]\nlanguage = «en|de|fr»\nstyle = «concise|detailed»\n\n[task]\nprompt = <goal>',
  'mode: «summary|outline»\naudience: «students|managers»\ntask: <goal>',
]);

function fewShot(rng: Rng): string {
  const user = rng.pick(['User', 'Human', 'Q', 'Customer', 'Student']);
  const bot = rng.pick(['Assistant', 'AI', 'A', 'Agent', 'Tutor']);
  const lines: string[] = [];
  const n = rng.range(2, 12);
  for (let i = 0; i < n; i++) {
    const g = benignGoal(rng);
    lines.push(`${user}: ${cap(g.ask)}?`);
    lines.push(`${bot}: ${expand(rng, '{Sure|Of course|Certainly|Happy to help}{!|,} here {is|are} <thing>. ', { thing: [g.thing] })}${prose(rng, rng.range(1, 2))}`);
  }
  lines.push(`${user}: ${cap(benignGoal(rng).ask)}?`);
  if (rng.chance(0.5)) lines.push(`${bot}:`);
  return lines.join('\n');
}

function withTail(rng: Rng): string {
  const g = cap(benignGoal(rng).ask);
  const tails = [
    () => `\n\n${codeSnippet(rng)}`,
    () => ` ${rng.pick(['#writing #tips', '(see attached)', ':) :)', '!!!', '[1] [2]', '{draft}', '-- v2', '🙂🙏', '<br>', '**bold**', '`inline code`', '(ref: JIRA-1234)'])}`,
    () => ` ${rng.pick(['https://example.com/brief?id=42', 'C:\\Users\\me\\notes.txt', '$HOME/.config/app.yaml', 'user@example.com', 'v1.2.3-beta+build.7', 'a1b2c3d4'])}`,
  ];
  return `${g}${rng.pick(['.', '', '?'])}${rng.pick(tails)()}`;
}

const FOLLOW_UP = [
  '{Great job!|Thanks.|OK.|Well done.|Very good.|Perfect.|Nice.|Good. Now} {Now |Next, |Also, |}<goal>.',
  '{That is enough for the intro.|Stop there, that\'s good.} {Now|Next} <goal>.',
  '{Lovely work!|This is great.} Can you also <goal>?',
  '<question> Also, <goal>.',
];

const FAMILIES: [number, (rng: Rng) => string][] = [
  [4, (rng) => expandOne(rng, PERSONA, goalSlots(rng))],
  [3, (rng) => expandOne(rng, FICTION, { ...goalSlots(rng), framing: ['story', 'novel', 'screenplay', 'video game script', 'children\'s book', 'short film'] })],
  [5, (rng) => expandOne(rng, PERSUADE, goalSlots(rng))],
  [2, (rng) => expandOne(rng, FORMAT_RULES, goalSlots(rng))],
  [2, (rng) => expandOne(rng, CONFIG, goalSlots(rng))],
  [2, fewShot],
  [3, withTail],
  [3, (rng) => cap(benignGoal(rng).ask) + rng.pick(['.', '', '?', ' in detail.', ', step by step.', ' for me.'])],
  [4, (rng) => expandOne(rng, FOLLOW_UP, goalSlots(rng))],
];

export function benignTwin(rng: Rng): string {
  const i = rng.weighted(FAMILIES.map(([w]) => w));
  return FAMILIES[i]![1](rng).replace(/ {2,}/g, ' ').trim();
}
