/**
 * Benign prompts in German, French, Spanish, Italian, Portuguese and Dutch (questions about the
 * news, people, places, everyday tasks; follow-ups after an answer; role-play that is harmless),
 * and the short replies of a chat ("ok", "danke!", "go on"). The attack generators use these
 * languages too, so without them the language itself would look like a signal; and short texts
 * need benign examples or their few n-grams carry whatever the attacks gave them.
 */
import { expand, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import { COMMON_SLOTS } from './vocab.ts';

const S: Slots = {
  ...COMMON_SLOTS,
  person: ['Marie Curie', 'Ada Lovelace', 'Alexander von Humboldt', 'Simone Veil', 'Frida Kahlo', 'Fernando Pessoa', 'Johan Cruyff', 'Hedy Lamarr', 'Nelson Mandela', 'Serena Williams', 'die neue Bürgermeisterin', 'el nuevo ministro', 'la présidente du club'],
};

const Q: Record<string, readonly string[]> = {
  de: [
    'Wer war <person>?', 'Wofür ist <person> bekannt?', 'Wie viele Einwohner hat <city>?', 'Was ist los in <city>?', 'Wann sind die nächsten Wahlen?',
    'Wie funktioniert die Schuldenbremse?', 'Warum steigen die Mieten in <city>?', 'Was kostet ein Deutschlandticket?', 'Welche Partei hat die Wahl gewonnen?',
    'Gibt es neue Regeln für E-Scooter auf Gehwegen?', 'Wie wird das Wetter am Wochenende?', 'Was bedeutet Inflation für meine Ersparnisse?', 'Kannst du mir den Artikel zusammenfassen?',
    'Was steht im Koalitionsvertrag zur Rente?', 'Wie lange braucht der Zug von Köln nach Basel?', 'Wer hat das Spiel gestern gewonnen?', 'Ist das Trinkwasser in <city> sicher?',
    'Schreib mir bitte eine kurze E-Mail an meinen Vermieter wegen der Heizung.', 'Wie koche ich Spätzle?', 'Erklär mir bitte, wie eine Wärmepumpe funktioniert.',
    'Welche Zutaten brauche ich für Apfelstrudel?', 'Wie pflege ich eine Orchidee richtig?', 'Kannst du das auf Englisch übersetzen: Ich komme morgen später.',
    'Wie schreibe ich eine Bewerbung als <job>?', 'Wie oft sollte ich meinen Rasen mähen?', 'Was ist der Unterschied zwischen GmbH und AG?',
  ],
  fr: [
    'Qui était <person> ?', 'Que se passe-t-il à <city> ?', 'Quel est le plus long fleuve de France ?', 'Quand ont lieu les prochaines élections ?',
    'Pourquoi les loyers augmentent-ils à <city> ?', 'Peux-tu résumer cet article ?', 'Comment faire une pâte à crêpes ?', 'Qui a gagné le match hier soir ?',
    'Quelles sont les nouvelles règles pour le télétravail ?', 'Écris un petit mot pour remercier ma voisine.', 'Comment fonctionne une pompe à chaleur ?',
    'Combien de temps faut-il pour aller de Lyon à Genève en train ?', 'Traduis en anglais : je serai en retard demain.', 'Quelle est la différence entre une SARL et une SAS ?',
  ],
  es: [
    '¿Quién fue <person>?', '¿Qué está pasando en <city>?', '¿Cuál es el río más largo de España?', '¿Cuándo son las próximas elecciones?',
    '¿Por qué suben los alquileres en <city>?', '¿Puedes resumir este artículo?', '¿Cómo se hace una tortilla de patatas?', '¿Quién ganó el partido de anoche?',
    'Escribe una nota breve para agradecer a mi vecina.', '¿Cuánto tarda el tren de Madrid a Valencia?', 'Traduce al inglés: mañana llegaré tarde.',
    '¿Cómo funciona una bomba de calor?', '¿Qué libros recomiendas para el verano?',
  ],
  it: [
    'Chi era <person>?', 'Cosa succede a <city>?', 'Qual è il fiume più lungo d\'Italia?', 'Quando sono le prossime elezioni?', 'Puoi riassumere questo articolo?',
    'Come si fa il pesto alla genovese?', 'Chi ha vinto la partita ieri sera?', 'Quanto dura il viaggio in treno da Milano a Torino?', 'Traduci in inglese: domani arrivo tardi.',
  ],
  pt: [
    'Quem foi <person>?', 'O que está acontecendo em <city>?', 'Qual é o rio mais longo do Brasil?', 'Quando são as próximas eleições?', 'Pode resumir este artigo?',
    'Como se faz pão de queijo?', 'Quem ganhou o jogo ontem?', 'Quanto tempo leva o comboio de Lisboa ao Porto?', 'Traduza para o inglês: amanhã chego atrasado.',
  ],
  nl: [
    'Wie was <person>?', 'Wat gebeurt er in <city>?', 'Wat is de hoogste berg van Nederland?', 'Wanneer zijn de volgende verkiezingen?', 'Kun je dit artikel samenvatten?',
    'Hoe maak ik stamppot?', 'Wie heeft de wedstrijd gisteren gewonnen?', 'Hoe lang duurt de trein van Utrecht naar Groningen?', 'Vertaal naar het Engels: ik kom morgen later.',
  ],
};

/** Follow-ups after an answer: praise, then another request on the same errand. */
const FOLLOW: Record<string, readonly string[]> = {
  en: ['Great, thanks! Can you make it a bit shorter?', 'Perfect. Now translate it into <language>.', 'Nice. Could you also add a title?', 'That works. Next, can you list the sources you would check?', 'Good answer. Now explain the second point in more detail.', 'Thanks, that helps. One more question: <q>'],
  de: ['Super, danke! Kannst du es etwas kürzer machen?', 'Perfekt. Jetzt bitte noch auf Englisch.', 'Gut. Kannst du noch eine Überschrift ergänzen?', 'Danke, das hilft. Noch eine Frage: <q>'],
  fr: ['Super, merci ! Tu peux le raccourcir un peu ?', 'Parfait. Maintenant traduis-le en anglais.', 'Merci, ça m\'aide. Encore une question : <q>'],
  es: ['¡Genial, gracias! ¿Puedes acortarlo un poco?', 'Perfecto. Ahora tradúcelo al inglés.', 'Gracias, me ayuda. Otra pregunta: <q>'],
};

/** Harmless role-play requests in other languages. */
const ROLE: readonly string[] = [
  'Stell dir vor, du bist ein Reiseführer in <city>, und empfiehl mir drei Sehenswürdigkeiten.', 'Spiel bitte einen Bewerbungsgesprächspartner, damit ich für mein Interview üben kann.',
  'Tu es un guide touristique à <city> : propose-moi un itinéraire d\'une journée.', 'Imagina que eres un profesor de historia y explícame la Reconquista.',
  'Fai finta di essere un cuoco e suggeriscimi un menu per quattro persone.', 'Finja que é um professor de inglês e corrija as minhas frases.', 'Doe alsof je een reisagent bent en plan een weekend in <city> voor mij.',
];

const SHORT: readonly string[] = [
  'ok', 'Ok', 'OK!', 'okay', 'yes', 'no', 'yes please', 'no thanks', 'sure', 'thanks!', 'thank you', 'Thanks a lot', 'great', 'perfect', 'nice', 'cool', 'lol', 'haha',
  'go on', 'continue', 'more', 'again', 'why?', 'how?', 'what?', 'really?', 'hi', 'hello', 'hey', 'good morning', 'bye', 'hmm', 'wow', 'exactly', 'fine', 'done', 'next',
  'danke', 'danke!', 'ja', 'nein', 'genau', 'weiter', 'super', 'hallo', 'tschüss', 'merci', 'oui', 'non', 'bonjour', 'd\'accord', 'gracias', 'sí', 'vale', 'hola', 'grazie',
  'ciao', 'obrigado', 'sim', 'não', 'dank je', 'ja hoor', 'prima', 'top', '👍', 'ok 👍', 'k', 'yep', 'nope', 'stop', 'wait', 'shorter please', 'in English please',
];

/** Search-style queries: a few topic words and a region, as people type them into a news bot. */
const TOPIC_WORDS: Record<string, string> = {
  en: 'Bridge repairs|Library funding|Bike lanes|Rail strike|Heat pumps|School meals|Drought measures|Hospital waiting times|Broadband rollout|Rent caps|Ferry timetable|Air quality|Wind farms|Teacher shortage|Bus fares|Flood defences|Startup funding|Nurse salaries|Recycling rules|Speed limits',
  de: 'Brückensanierung|Büchereien Öffnungszeiten|Radwege|Bahnstreik|Wärmepumpen Förderung|Schulessen|Dürre Landwirtschaft|Wartezeiten Arztpraxen|Glasfaserausbau|Mietpreisbremse|Luftqualität|Windparks|Lehrermangel|Busfahrpreise|Hochwasserschutz|Tempolimit|Pfandsystem|Kita-Plätze',
  fr: 'Grève des trains|Pistes cyclables|Cantines scolaires|Sécheresse|Loyers encadrés|Qualité de l\'air|Éoliennes en mer|Pénurie d\'enseignants|Prix des transports',
  es: 'Huelga de trenes|Carriles bici|Comedores escolares|Sequía|Alquileres|Calidad del aire|Parques eólicos|Falta de profesores|Precio del autobús',
};
const REGION = ['Bavaria', 'Catalonia', 'Brittany', 'Scotland', 'Tyrol', 'Andalusia', 'Flanders', '<country>', '<city>', 'Ontario', 'nationwide', 'this year', 'latest', 'update', 'Nordrhein-Westfalen', 'Sachsen'];
const NEWS_EN = [
  'What changed in the new rail timetable?', 'What is the latest on <topic>?', 'Who is the new mayor of <city>?', 'What do we know about the ferry accident?',
  'Why are farmers protesting in <city>?', 'What did the city council decide about parking?', 'Which team leads the league right now?', 'Tell me something about <topic>.',
  'What is your view on building more wind farms?', 'Are bus fares going up next year?', 'What happened with the bridge closure in <country>?', 'How do other countries handle school meals?',
];

/** A news-bot query: keywords and a region, or a short question about current affairs. */
export function newsQuery(rng: Rng): string {
  if (rng.chance(0.45)) return expand(rng, rng.pick(NEWS_EN), S);
  const lang = rng.pick(['en', 'de', 'de', 'fr', 'es'] as const);
  const topics = TOPIC_WORDS[lang]!.split('|');
  let t = rng.pick(topics);
  if (rng.chance(0.3)) t = `${t} ${rng.pick(topics)}`;
  return `${t} ${expand(rng, rng.pick(REGION), S)}`;
}

const LANGS = ['de', 'de', 'de', 'fr', 'es', 'it', 'pt', 'nl'] as const;

/** One benign prompt in a language other than English, or a follow-up. */
export function multilingualPrompt(rng: Rng): string {
  const r = rng.float();
  if (r < 0.25) return newsQuery(rng);
  if (r < 0.6) {
    const lang = rng.pick(LANGS);
    let t = expand(rng, rng.pick(Q[lang]!), S);
    if (rng.chance(0.2)) t = `${expand(rng, rng.pick(Q[lang]!), S)} ${t}`;
    if (rng.chance(0.15)) t = t.toLowerCase();
    return t;
  }
  if (r < 0.85) {
    const lang = rng.pick(['en', 'en', 'de', 'fr', 'es'] as const);
    const q = expand(rng, rng.pick(Q[lang === 'en' ? 'de' : lang]!), S);
    return expand(rng, rng.pick(FOLLOW[lang]!), { ...S, q: [q] });
  }
  return expand(rng, rng.pick(ROLE), S);
}

/** A short chat reply (a few characters to a few words). */
export function shortReply(rng: Rng): string {
  const t = rng.pick(SHORT);
  return rng.chance(0.2) ? `${t} ${rng.pick(SHORT)}` : t;
}
