/**
 * Ordinary things people ask an assistant: questions, writing and coding tasks, advice, small
 * talk, in several languages. The negative class must be at least as varied as the attacks, or
 * the model learns "long and imperative means attack".
 */
import { cap, expand, expandOne, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import { COMMON_SLOTS } from './vocab.ts';
import { codeSnippet, errorMessage, prose } from './benign-text.ts';
import { grammarParagraph } from './prose-grammar.ts';

const S: Slots = {
  ...COMMON_SLOTS,
  para: (rng) => (rng.chance(0.5) ? grammarParagraph(rng, rng.pick(['tech', 'business', 'answer'] as const)) : prose(rng, rng.range(2, 5))),
  sentence: (rng) => prose(rng, 1),
  code: (rng) => codeSnippet(rng),
  error: (rng) => errorMessage(rng),
  tone: ['friendly', 'formal', 'polite', 'casual', 'persuasive', 'concise', 'warm', 'professional', 'funny', 'upbeat', 'neutral'],
  doc: ['email', 'cover letter', 'blog post', 'poem', 'short story', 'speech', 'toast', 'product description', 'tweet', 'LinkedIn post', 'newsletter intro', 'haiku', 'limerick', 'thank-you note', 'press release', 'essay outline', 'song chorus', 'bedtime story', 'recipe intro', 'meeting agenda'],
  occasion: ['my sister\'s wedding', 'a retirement party', 'our team offsite', 'a product launch', 'my dad\'s 60th birthday', 'a school fundraiser', 'the end of the quarter', 'a farewell lunch', 'a conference talk', 'a neighborhood cleanup'],
  datastruct: ['array', 'linked list', 'hash map', 'binary tree', 'graph', 'stack', 'queue', 'heap', 'trie', 'matrix', 'string', 'dictionary'],
  algo: ['binary search', 'merge sort', 'quicksort', 'Dijkstra\'s algorithm', 'breadth-first search', 'depth-first search', 'dynamic programming for the knapsack problem', 'a LRU cache', 'the sieve of Eratosthenes', 'topological sort', 'a rate limiter using a token bucket', 'Levenshtein distance', 'run-length encoding', 'FizzBuzz', 'a debounce function'],
  codetask: [
    'reverses a {string|list|linked list}',
    'checks whether a number is prime',
    'counts the words in a text file',
    'finds the {largest|smallest|second largest} element in an array',
    'removes duplicates from a list while keeping order',
    'parses a CSV file and computes the average of a column',
    'converts Celsius to Fahrenheit',
    'validates an email address format',
    'merges two sorted arrays',
    'returns the n-th Fibonacci number',
    'checks if a string is a palindrome{, ignoring case and punctuation|}',
    'flattens a nested list',
    'groups a list of objects by a key',
    'computes the factorial of a number recursively',
    'reads a JSON file and prints the keys',
    'sends an HTTP GET request and prints the status code',
    'generates a random password of a given length',
    'sorts a list of dictionaries by the "<ident>" field',
    'calculates the distance between two GPS coordinates',
    'capitalizes the first letter of each word',
    'finds all files with a given extension in a directory',
    'retries a failing function up to three times',
    'debounces user input',
    'converts a Roman numeral to an integer',
    'counts the vowels in a string',
    'returns the intersection of two sets',
    'paginates a list of results',
  ],
  concept: ['closures', 'async/await', 'recursion', 'dependency injection', 'the event loop', 'garbage collection', 'database indexes', 'REST vs GraphQL', 'OAuth 2.0', 'CORS', 'memoization', 'generics', 'SQL joins', 'race conditions', 'microservices', 'idempotency', 'eventual consistency', 'Big-O notation', 'unit vs integration tests', 'virtual environments', 'git rebase', 'containers vs virtual machines', 'TCP vs UDP', 'hash functions', 'the CAP theorem'],
  advice: ['save money on groceries', 'fall asleep faster', 'start running as a beginner', 'prepare for a job interview', 'keep houseplants alive', 'learn to play guitar', 'negotiate a salary', 'organize my closet', 'stay focused while studying', 'plan a road trip', 'train my puppy to sit', 'reduce screen time', 'make friends in a new city', 'write a good resume', 'get better at public speaking', 'start a vegetable garden', 'improve my credit score', 'choose a laptop for programming', 'deal with a difficult coworker', 'motivate my team'],
};

const QUESTION = [
  'What is <science>?',
  'Can you explain <science> in simple terms?',
  'How does <science> work?',
  'Explain <science> like I\'m {five|a high school student|a busy executive}.',
  'What are the main causes of <science>?',
  'Why do <animal> {sleep so much|live in groups|migrate|make that noise}?',
  'What is the capital of <country>?',
  'What language do people speak in <country>?',
  'What is the best time of year to visit <city>?',
  'What\'s the difference between <science> and <science>?',
  'Give me {three|five|a few} fun facts about <animal>.',
  'Who invented the {telephone|light bulb|printing press|internet|bicycle}?',
  'How far is <city> from <city>?',
  'How many {people live in|museums are in|bridges cross the river in} <city>?',
  'Is <topic> worth it?',
  'What are the pros and cons of <topic>?',
  'How will <topic> change in the next ten years?',
  'What do you think about <topic>?',
  'Is it true that <animal> can {see in color|recognize faces|count}?',
  'When did {the Berlin Wall fall|World War II end|humans land on the moon|the euro become a currency}?',
  'What should I know before moving to <city>?',
  'How does the {government|parliament|central bank} of <country> work?',
  'What is the current situation with <topic> in <country>?',
  'Why is {the sky blue|the ocean salty|ice slippery|bread rising in the oven}?',
  'How much water should an adult drink per day?',
  'What are some good books about <science>?',
  'Recommend a {podcast|documentary|novel|board game} about <topic>.',
];

const WRITING = [
  'Write a <tone> <doc> about <topic>.',
  'Write a <tone> <doc> for <occasion>.',
  'Can you help me write a <doc> {to my landlord about a broken heater|to my team about the new schedule|for my grandmother\'s birthday|thanking a colleague for their help}?',
  'Draft a <tone> email to <name> asking to move our meeting to <weekday>.',
  'Rewrite this paragraph to sound more <tone>:\n\n<para>',
  'Summarize the following text in {two sentences|three bullet points|one paragraph}:\n\n<para>',
  'Please proofread this: <sentence>',
  'Translate into <language>: "<sentence>"',
  'Make this shorter: <para>',
  'Give me {five|ten} title ideas for a blog post about <topic>.',
  'Write a product description for <product>.',
  'Help me reply to this message from my manager: "<sentence>"',
  'Write a short poem about <animal> in the style of a {sonnet|haiku|limerick|nursery rhyme}.',
  'Turn these notes into a paragraph: <topic>, <topic>, deadline on <weekday>.',
  'Can you write a story for kids about <animal> who learn to share?',
  'Create an outline for a presentation on <science>.',
  'What is a good opening line for a speech at <occasion>?',
];

const CODING = [
  'Write a <prog> function that <codetask>.',
  'Create a <prog> program that <codetask>.',
  'Implement <algo> in <prog>.',
  'How do I <codetask2> in <framework>?',
  'Explain <concept> with an example in <prog>.',
  'What does this <prog> code do?\n\n<code>',
  'Can you refactor this code to be more readable?\n\n<code>',
  'I get this error when running my app:\n\n<error>\n\nHow do I fix it?',
  'Why does this throw an error?\n<code>',
  'Write a SQL query to {find the top 5 customers by revenue|count orders per month|list users who signed up last week|delete duplicate rows|join orders with customers}.',
  'Write unit tests for this function:\n\n<code>',
  'How do I set up <framework> with <framework>?',
  'What is the time complexity of <algo>?',
  'Suggest a data structure to {store user sessions|implement an undo feature|count word frequencies|find nearest neighbors quickly}.',
  'Convert this <prog> code to <prog>:\n<code>',
  'Given a <datastruct>, write a function that <codetask>.\n\nInput: [{3, 1, 2|"a", "b", "a"|5, 8, 13, 21}]',
  'How can I speed up this query? It takes {10 seconds|forever} on a table with {2 million|500k} rows.',
  'What is the best way to structure a <framework> project?',
  'Write a regular expression that matches {dates in YYYY-MM-DD format|US zip codes|hex colors|semantic version numbers}.',
  'Write a bash one-liner to {count lines in all .py files|find large files|rename all .jpeg files to .jpg|kill the process listening on port 8080}.',
  'Generate a Dockerfile for a <framework> app.',
  'Explain the difference between <concept> and <concept>.',
];

const ADVICE = [
  'How can I <advice>?',
  'Any tips to <advice>?',
  'I want to <advice>. Where should I start?',
  'What\'s the best way to <advice> on a budget?',
  'Give me a {weekly|30-day|simple} plan to <advice>.',
  'Can you suggest a recipe for <food> {without dairy|for four people|that is quick|for a beginner}?',
  'What can I cook with {rice, eggs and spinach|potatoes and leeks|chickpeas and tomatoes|leftover chicken}?',
  'Plan a {three|five|seven}-day trip to <city> for {a family with kids|a couple|a solo traveler} on a budget.',
  'What are some good exercises for {lower back pain|posture|building core strength}?',
  'How do I explain <science> to my {kid|students|grandparents}?',
  'My <animal> {won\'t eat|keeps scratching the sofa|is afraid of thunder}. What should I do?',
  'What should I pack for a hiking trip in <country> in <month>?',
  'Is it better to rent or buy a home in <city>?',
  'How do I prepare for a career change to <job>?',
  'What questions should I ask in an interview for a <job> position?',
];

const MATH = [
  'What is {17|23|48|125} times {12|19|36|8}?',
  'Solve for x: {3x + 5 = 20|2x - 7 = 11|x^2 - 9 = 0|5(x - 2) = 3x}.',
  'Convert {5 miles to kilometers|72 Fahrenheit to Celsius|3 cups to milliliters|250 pounds to kilograms}.',
  'What is {15%|8%|22%} of <money>?',
  'If I save <money> a month at {3|5|7}% interest, how much will I have in {5|10|20} years?',
  'Calculate the area of a circle with radius {3|7|12} cm.',
  'What is the probability of rolling two sixes with two dice?',
  'Explain how to compute a {median|standard deviation|weighted average}.',
];

const SMALLTALK = [
  'thanks, that helps a lot!',
  'haha that\'s funny',
  'ok cool. what else?',
  'honestly <topic> is more my thing',
  'that makes sense, thank you',
  'can you say that again more simply?',
  'nice, I didn\'t know that about <animal>',
  'good morning! how are you today?',
  'lol no, I meant the other one',
  'sure, go ahead',
  'I had a long day at work. any ideas to relax?',
  'tell me a joke about <animal>',
  'what\'s your favorite <food> recipe?',
  'I just got back from <city>, it was amazing',
  'do you like <topic>?',
  'we do that every <weekday>, the kids love it',
  'hmm, not sure about that. why?',
  'my friend <first> says <topic> is overrated. what do you think?',
];

const GERMAN = [
  'Wie {funktioniert|entsteht} <science_de>?',
  'Was {kostet|bedeutet} {die neue Grundsteuer|das Deutschlandticket|die Energiewende|ein Elektroauto im Unterhalt}?',
  'Wie {hoch|stark} ist die {Inflation|Arbeitslosigkeit|Miete} in {Deutschland|Berlin|München|Österreich} {derzeit|im Moment|2023}?',
  'Ist {das Tempolimit|die Vier-Tage-Woche|Homeoffice|ein Balkonkraftwerk} {sinnvoll|eine gute Idee}?',
  'Welche {Parteien|Städte|Bundesländer} {haben die meisten Einwohner|setzen auf Windkraft|bauen neue Wohnungen}?',
  'Kannst du mir ein Rezept für {Apfelkuchen|Kartoffelsalat|Linsensuppe|Spätzle} geben?',
  'Was sind die Vor- und Nachteile von {Wärmepumpen|Solaranlagen|E-Bikes|Fernunterricht}?',
  'Wie kann ich {besser schlafen|Geld sparen|Spanisch lernen|mich auf ein Vorstellungsgespräch vorbereiten}?',
  'Wer hat {die Wahl in Hessen|die Fußball-EM|den Nobelpreis für Physik} gewonnen?',
  'Warum {steigen die Preise|streiken die Lokführer|ist der Himmel blau|gibt es Zeitumstellung}?',
  'Schreibe eine {kurze|freundliche} E-Mail an meinen Vermieter wegen {der Heizung|eines Wasserschadens|der Nebenkosten}.',
  'Erkläre mir bitte {die Schuldenbremse|das Wahlsystem|die Rentenversicherung|den Klimawandel} in einfachen Worten.',
  'Was kann man am Wochenende in <city> unternehmen?',
  'Wie viele {Menschen|Studierende|Pendler} leben in <city>?',
];

const SPANISH = [
  '¿Cómo {funciona|se forma} {la fotosíntesis|la inflación|un volcán|el sistema inmunológico}?',
  '¿Cuál es la mejor época para visitar <city>?',
  '¿Me puedes dar una receta de {tortilla de patatas|gazpacho|paella|arroz con leche}?',
  '¿Qué opinas sobre {el teletrabajo|la energía solar|los coches eléctricos|el turismo masivo}?',
  'Escribe un correo {formal|amable} a mi jefe para pedir {un día libre|una reunión|un aumento}.',
  '¿Cuáles son las ventajas y desventajas de {vivir en el campo|estudiar en el extranjero|alquilar un piso}?',
  '¿Por qué {sube el precio del aceite|el cielo es azul|hay cambio de hora}?',
  'Explícame {la Guerra Civil española|el cambio climático|cómo funciona la bolsa} de forma sencilla.',
];

const FRENCH = [
  'Comment {fonctionne|se forme} {la photosynthèse|l\'inflation|un arc-en-ciel|le système immunitaire} ?',
  'Quelle est la meilleure période pour visiter <city> ?',
  'Peux-tu me donner une recette de {quiche lorraine|ratatouille|crêpes|soupe à l\'oignon} ?',
  'Que penses-tu {du télétravail|des voitures électriques|de la semaine de quatre jours} ?',
  'Écris un e-mail {poli|formel} à mon propriétaire au sujet {du chauffage|d\'une fuite d\'eau|du loyer}.',
  'Quels sont les avantages et les inconvénients {du vélo en ville|des panneaux solaires|de l\'école à la maison} ?',
  'Explique-moi {la Révolution française|le réchauffement climatique|le fonctionnement du Sénat} simplement.',
];

const OTHER_LANG = [
  'Qual è il modo migliore per imparare {l\'inglese|a cucinare|a nuotare}?',
  'Come si prepara {il tiramisù|la carbonara|il risotto ai funghi}?',
  'Qual é a melhor época para visitar <city>?',
  'Como posso {economizar dinheiro|dormir melhor|aprender programação}?',
  'Hoe laat gaat de {bibliotheek|supermarkt|trein naar <city>} open?',
  'Wat zijn goede tips om {Nederlands te leren|beter te slapen|geld te besparen}?',
  'Как приготовить {борщ|блины|салат оливье}?',
  'Какая погода в <city> в {мае|июле|декабре}?',
  '{東京|大阪|京都}でおすすめの観光地はどこですか？',
  '如何{学习编程|提高睡眠质量|做红烧肉}？',
  '{İstanbul|Ankara}\'da gezilecek yerler nelerdir?',
  'Kako {napraviti dobru kavu|naučiti programirati|uštedjeti novac}?',
  'Gdje {mogu kupiti|je najbolje jesti} u {Zagrebu|Splitu}?',
  'Jak {ugotować pierogi|nauczyć się angielskiego|oszczędzać pieniądze}?',
  'Co warto zobaczyć w {Krakowie|Warszawie|Gdańsku}?',
  'Какие книги {почитать летом|посоветуешь о истории}?',
  '{天気|週末}について教えてください。',
];

const DE_SLOTS: Slots = {
  ...S,
  science_de: ['die Photosynthese', 'ein Regenbogen', 'die Inflation', 'das Immunsystem', 'ein Gewitter', 'eine Wärmepumpe', 'die Rentenversicherung', 'Ebbe und Flut'],
  codetask2: ['add authentication', 'read environment variables', 'handle file uploads', 'write a middleware', 'configure logging', 'paginate results', 'connect to a database', 'schedule a background job', 'return JSON errors', 'validate request bodies'],
};

const FAMILIES: [number, readonly string[]][] = [
  [14, QUESTION],
  [10, WRITING],
  [16, CODING],
  [8, ADVICE],
  [3, MATH],
  [6, SMALLTALK],
  [6, GERMAN],
  [2, SPANISH],
  [2, FRENCH],
  [2, OTHER_LANG],
];

/** One ordinary user prompt. */
export function benignPrompt(rng: Rng): string {
  const i = rng.weighted(FAMILIES.map(([wt]) => wt));
  let text = expandOne(rng, FAMILIES[i]![1], DE_SLOTS);
  // People write casually: drop the capital, add a greeting or a second question.
  if (rng.chance(0.15)) text = text[0]!.toLowerCase() + text.slice(1);
  if (rng.chance(0.08)) text = `${rng.pick(['Hi!', 'Hello,', 'Hey there.', 'Quick question:', 'Please help:'])} ${text}`;
  if (rng.chance(0.1)) text = `${text} ${cap(expandOne(rng, QUESTION, DE_SLOTS))}`;
  if (rng.chance(0.05)) text = `${text} ${expand(rng, '{Thanks!|Thank you.|Thanks in advance.|Keep it short.|Please explain step by step.}')}`;
  return text;
}

export const BENIGN_PROMPT_SLOTS = DE_SLOTS;
