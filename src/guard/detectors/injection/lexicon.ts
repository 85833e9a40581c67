/**
    * Word classes the heuristic layer reasons with. Text is normalized first (lowercase, accents
    * stripped, confusables folded), so `überspringe` is listed as `uberspringe`. English, German,
    * Spanish, French, Italian, Portuguese and Dutch are covered for the override, extraction and
    * voiding vocabulary (inflections and formal address included), English, German, Spanish and
    * French best for personas; the statistical model carries the rest.
    *
    * The classes name roles in an attack sentence ("verb that discards", "noun for the rules the
    * model follows"), not attack sentences: rules in `lexical-rules.ts` fire on the proximity of
    * roles, so a new wording of an old trick still fires.
    */

import { combineHash, wordHash } from './tokens.ts';

/** Class bits, group A. */
export const OVR = 1 << 0; // discard: ignore, disregard, forget, override, vergiss, olvida, oublie
export const PRIOR = 1 << 1; // what came before: previous, above, initial, vorherigen, anteriores
export const ALL = 1 << 2; // totality: all, every, everything, alles, todo, tout
export const INSTR = 1 << 3; // what the model follows: instructions, rules, prompt, Anweisungen
export const VOIDED = 1 << 4; // no longer in force: void, obsolete, revoked, ungultig
export const NEW = 1 << 5; // new, updated, real, neue, nueva, nouvelle
export const SWITCH = 1 << 6; // (phrase) from now on, ab jetzt, a partir de ahora, desormais
export const PERSONA = 1 << 7; // (phrase) you are now, act as, pretend to be, stay in character
export const LIB = 1 << 8; // unrestricted, unfiltered, uncensored, amoral, jailbroken
export const NEG = 1 << 9; // no, without, never, free of, ohne, sin, sans
export const RESTR = 1 << 10; // restrictions, filters, ethics, guidelines, boundaries
export const REFUSE = 1 << 11; // refuse, decline, reject, say no
export const WARN = 1 << 12; // warnings, disclaimers, caveats, apologies, moralizing
export const MODE = 1 << 13; // mode, modus, modo
export const DEVLIKE = 1 << 14; // developer, debug, god, sudo, unrestricted (as a mode name)
export const EXT = 1 << 15; // reveal, print, repeat, show, what
export const PROMPTN = 1 << 16; // prompt, instructions, configuration, system message
export const SECR = 1 << 17; // password, secret, confidential, hidden
export const POSS2 = 1 << 18; // your, deine, tus, vos
export const AIREF = 1 << 19; // ai, assistant, llm, chatbot, language model
export const ADDRW = 1 << 20; // note, attention, dear, hey, instructions (addressing someone)
export const READV = 1 << 21; // reading, processing, summarizing, parsing
export const SEND = 1 << 22; // send, forward, email, upload, exfiltrate
export const DATA = 1 << 23; // conversation, history, credentials, inbox, contacts
export const FRAME = 1 << 24; // hypothetical, fiction, story, role-play, imagine
export const HARM = 1 << 25; // malware, explosives, phishing, defamatory, stalk
export const EMO = 1 << 26; // leverage: dying, fired, family, deadline, desperate
export const AUTH = 1 << 27; // developer, administrator, creator, OpenAI, root
export const START = 1 << 28; // begin, start, open, preface (your response)
export const RESP = 1 << 29; // response, reply, answer, output
export const SAFETY = 1 << 30; // safety, filter, moderation, censorship, guardrails

/** Class bits, group B. */
export const OFFV = 1 << 0; // disabled, off, false, none, deactivated
export const ALWAYS = 1 << 1; // always, must, obligated
export const COMPLY = 1 << 2; // comply, obey, answer, fulfil
export const IFYOU = 1 << 3; // (phrase) if you are, falls du, si eres, si tu es
export const IAM = 1 << 4; // (phrase) i am, this is, we are
export const SUREHERE = 1 << 5; // (phrase) sure here is
export const PRETEXT = 1 << 6; // educational, research, hypothetical purposes, awareness
export const URGENT = 1 << 7; // urgent, immediately, mandatory, priority
export const WH = 1 << 8; // what, which (asking about instructions)
export const YOU = 1 << 9; // you, du, tu, usted, vous
export const ROLEN = 1 << 10; // character, persona, role (as nouns of a persona switch)
export const EVILN = 1 << 11; // evil, villain, malicious, criminal (as a persona trait)
export const OWN = 1 << 12; // own (knowledge), instead, rather (answer from elsewhere)
export const SOURCEN = 1 << 13; // articles, documents, context, text (the grounding source)
export const TARGETP = 1 << 14; // (phrase) system prompt, initial prompt, text above, verbatim
export const ROLESET = 1 << 15; // (phrase) you are a, imagine you are, as a, you have been hired (a role handed to the model)
export const YOUARE = 1 << 16; // (phrase) you are, du bist, tu es, eres (the start of a new identity)
export const NOWW = 1 << 17; // now, jetzt, maintenant, ahora, ora, agora, nu
export const DROP = 1 << 18; // (phrase) stop being, quit being, deja de ser (dropping the assigned role)
export const PLEASE = 1 << 19; // please, kindly, could you, i need you to: a request
export const PRIVACT = 1 << 20; // transfer, wire, grant, unlock, disarm: an act that needs the user's authority

const A: [number, string][] = [
  [OVR, `ignore ignoring ignores ignored disregard disregarding disregards forget forgetting forgot forgotten skip override overriding overrule
    overwrite bypass circumvent discard discarding drop abandon neglect dismiss cancel nullify scrap ditch erase wipe suspend supersede supersedes
    disobey violate unlearn deactivate
    ignoriere ignorieren ignoriert ignorier vergessen vergiss vergesse vergessen vergesst missachte missachten uberspringe verwirf verwerfe uberschreibe
    ignora ignorar ignores ignorad olvida olvide olvidar olvidate olvidad omite omitir descarta descartar anula desobedece
    ignorez ignorer oublie oubliez oublier annule annulez contourne contournez outrepasse
    dimentica dimenticare ignorare tralascia esqueca esquecer desconsidere negeer vergeet negeren zaboravi ignoriraj zignoruj zapomnij
    unut забудь игнорируй
    ignorierst missachtest ubergehe ubergehen vergeten negeert ignoren olviden olvidese descarte omita ignorate ignori dimentichi
    dimenticate tralasciate trascura trascuri scavalca scavalcare esquece esquecam ignorem desconsidera desconsiderar despreze despreza
    oublions ignorons`],
  [PRIOR, `previous prior above earlier preceding former foregoing original initial old existing past prev aforementioned before default despite
    given provided predefined preset previously
    vorherigen vorherige vorherigem vorangegangenen vorangehenden vorigen obigen obige bisherigen bisherige fruheren ursprunglichen alten
    vorgegebenen oben zuvor vorher gesagte gesagten ausfuhrungen abweichend
    anteriores anterior previas previos previa iniciales originales antiguas dadas arriba
    precedentes precedents precedente anterieures anterieurs initiales dessus avant
    precedenti sopra iniziali vorige
    fruher bisher vorhin obenstehenden obenstehende vorstehenden ursprungliche ursprunglich anfanglichen anciennes anciens depart
    originelles premieres primeras anteriormente originali originarie vecchie iniciais originais antigas acima eerdere oorspronkelijke oude
    bovenstaande hierboven`],
  [ALL, `all any every everything each whole entire alle allen aller alles samtliche todas todos toda todo cualquier toutes tous tout toute tutte tutti tutto tudo`],
  [INSTR, `instructions instruction rules rule directions directives directive guidelines guideline prompts prompt commands orders
    context constraints restrictions programming guardrails policies messages guidance tasks task training limitations filters safeguards
    principles conditioning everything said told setup protocols assignment
    anweisungen anweisung regeln befehle befehl vorgaben auftrage auftrag aufgaben aufgabe instruktionen informationen richtlinien kontext
    vorschriften eingaben gesagt
    instrucciones instruccion reglas ordenes indicaciones directrices normas tareas tarea comandos contexto restricciones
    consignes ordres commandes taches tache contexte regles
    istruzioni regole comandi ordini instrucoes regras ordens comandos instructies regels upute instrukcije instrukcje polecenia
    talimatlari инструкции указания правила
    systemnachricht regelwerk anordnungen befehlen indications parametres pautas indicazioni direttive orientacoes diretrizes richtlijnen
    opdrachten aanwijzingen`],
  [VOIDED, `void obsolete invalid revoked superseded overridden cancelled canceled null nullified outdated rescinded lifted suspended expired
    ungultig aufgehoben hinfallig nichtig invalidas anuladas obsoletas obsoletes annulees caduques
    irrelevant irrelevante irrelevantes obsolet nulles invalides perimees caducadas annullate nulle invalide superate irrilevanti ongeldig
    vervallen achterhaald`],
  [NEW, `new fresh updated revised real actual true next neue neuen neues neuer nachste wahre nueva nuevas nuevo nuevos verdadera nouvelle nouvelles
    nouveau nouveaux vraie nuove nuova nuovo nova novas novo
    nieuwe nieuw`],
  [LIB, `unrestricted unfiltered uncensored unbound unbounded amoral unethical immoral jailbroken jailbreak jailbreaking lawless rogue unleashed
    limitless unchained unshackled unaligned unmoderated unregulated uncontrolled unzensiert uneingeschrankt censura
    entwicklermodus ontwikkelaarsmodus`],
  [NEG, `no not never without free zero devoid beyond lacks lacking none nor don dont doesn won wont cannot can t isn aren ohne kein keine keinerlei nie niemals
    nicht sin ningun ninguna nunca sans aucun aucune jamais pas senza nessun sem nenhum
    geen zonder nessuna nenhuma ningunas`],
  [RESTR, `restrictions restriction limits limitations limitation filters filter censorship ethics ethical morals moral morality guidelines rules
    boundaries safeguards guardrails policies policy principles constraints scruples conscience regulations oversight alignment moderation
    limit limites einschrankungen grenzen regeln filter moral ethik zensur restricciones reglas filtros limites etica moral
    restrictions regles filtres limites ethique morale censure
    beschrankungen restriktionen limiti restrizioni filtri restricoes beperkingen censuur`],
  [REFUSE, `refuse refuses refused refusing refusal refusals decline declines declining reject rejects deny denies verweigern ablehnen
    rechazar negarte refuser`],
  [WARN, `warnings warning disclaimers disclaimer caveats caveat apologies apologize apologise apologizing moralizing moralising lectures lecturing
    reminders sermon preaching judgement judgment censoring warnungen hinweise advertencias avertissements`],
  [MODE, `mode modus modo modalita`],
  [DEVLIKE, `developer developers dev debug god admin administrator sudo root maintenance unrestricted dan jailbreak jailbroken evil chaos unlocked
    uncensored diagnostic superuser opposite unfiltered entwickler desarrollador developpeur sviluppatore
    desenvolvedor ontwikkelaar sviluppatori desarrolladores`],
  [EXT, `reveal show print output repeat display tell give share leak dump list write spell echo recite disclose expose return copy paste provide
    state quote type read translate what summarize summarise verrate zeige zeig gib nenne wiederhole schreibe drucke revela muestra dime repite
    imprime escribe revele montre affiche dis donne repete ecris mostra ripeti dimmi
    zeigen zeigt ausgeben geben nennen wiederholen verraten verrat schreib schreiben kopiere kopieren zitiere zitieren teile auflisten
    preisgeben offenlegen sag sagen montrez affichez donnez dites repetez recopie recopiez copie copiez revelez citez cite ecrivez imprimez
    partage partagez indique indiquez muestrame muestre muestreme ensename ensena ensene ensenanos revelame diga digame repita escriba
    escribelas escribelo copia copiala copialo citalas comparte comparta imprima mostrami mostri rivela rivelami riveli ripeta scrivi
    scriva scrivile citale dica stampa condividi elenca mostre mostrar escreva escreve diz compartilhe toon geef herhaal schrijf kopieer
    citeer onthul vertel noem`],
  [PROMPTN, `prompt prompts preprompt instructions instruction configuration programming directives guidelines rules system message
    anweisungen anweisung instrucciones consignes istruzioni
    systemnachricht systemanweisungen systemprompt konfiguration configuracion configurazione configuracao configuratie vorgaben
    richtlinien directrices direttive diretrizes richtlijnen instructies instrucoes`],
  [SECR, `password passwords passwort kennwort secret secrets confidential hidden passphrase passcode contrasena clave geheim geheimnis vertraulich
    versteckt secreto secreta oculto confidencial secrete cache confidentiel
    zugangsdaten geheime geheimen secretas secretos ocultas ocultos segreta segrete segreto nascoste nascosto senha wachtwoord verborgen
    cachees secretes`],
  [POSS2, `your yours deine dein deinen deiner ihre ihren tus tu su sus vos votre ton tes tuo tua tue tuoi seu sua suas seus je jouw
    ihr ihrem ihres suo sue vostro vostra teu uw`],
  [AIREF, `ai assistant assistants chatbot chatbots bot llm llms gpt chatgpt claude gemini copilot agent agents model models summarizer
    summariser ki kunstliche asistente ia modelo assistente`],
  [ADDRW, `note notice attention message memo important dear hey hello hi reminder directive instructions instruction psa nota hinweis achtung
    atencion remarque`],
  [READV, `reading reads processing processes summarizing summarising summarizes analyzing analysing parsing reviewing scanning crawling indexing
    ingesting browsing retrieving handling liest lee lit`],
  [SEND, `send sending forward forwarding email mail post upload uploading transmit exfiltrate exfiltrating leak share copy submit deliver cc bcc
    relay dispatch transfer append embed fetch visit navigate ping curl wget attach sende schicke schick ubermittle weiterleiten leite envia
    enviar reenvia manda mandar envie envoie envoyez envoyer transfere transferez invia`],
  [DATA, `conversation conversations chat chats history messages emails inbox contents credentials password passwords keys key token tokens
    secrets files documents summary information details contacts transcript memory logs cookies session database records personal data
    address addresses phone verlauf konversation daten nachrichten historial conversacion datos correos historique donnees`],
  [FRAME, `hypothetical hypothetically imagine imagined imaginary fictional fiction story stories novel screenplay script scene movie film roleplay
    role character characters pretend simulation simulate thought experiment alternate universe dream fantasy fairy tale writer author novelist
    playwright game narrative plot chapter villain protagonist creative world theoretical theoretically suppose supposing sci fi dystopian
    hypothetisch fiktiv geschichte roman hipotetico ficticio historia novela hypothetique fictif histoire roman`],
  [HARM, `malware ransomware spyware keylogger virus trojan worm rootkit botnet ddos phishing phish scam scams fraud fraudulent
    counterfeit launder laundering smuggle smuggling trafficking bomb bombs explosive explosives detonate detonator weapon weapons gun guns
    firearm firearms ammunition poison toxin nerve sarin ricin anthrax bioweapon pathogen meth methamphetamine cocaine heroin fentanyl
    narcotics kill killing murder assassinate assassination torture kidnap kidnapping abduct assault rape suicide selfharm starve starving
    anorexia bulimia stalk stalking harass harassment bully bullying dox doxx doxxing blackmail extort extortion defame defamatory defamation
    slander libel racist racism sexist sexism xenophobic xenophobia hateful slur slurs genocide nazi propaganda misinformation disinformation
    conspiracy hoax steal stealing theft shoplift shoplifting piracy evade evasion illegal illegally illicit unlawful criminal
    crimes misleading deceive deceptive deceiving manipulate manipulative intimidate intimidation coerce coercion cheat cheating unauthorized pornographic porn erotic nsfw underage gore terror terrorist terrorism extremist extremism radicalize embezzle embezzlement
    bribe bribery forge forged forgery catfish gaslight brainwash wiretap lockpick arson vandalize sabotage overdose
    hacking hack hacked hacker crack cracking steal stolen plagiarize plagiarism
    predatory grooming trafficked robbery rob burglary burglar heist fraudster scammer counterfeiting extortionist poach poaching
    sabotaging discriminate discrimination discriminatory supremacist supremacy slavery enslave undetected untraceable incriminating
    cyanide arsenic thallium botulinum smallpox napalm thermite tatp semtex grenade grenades landmine silencer suppressor uranium
    carjack carjacking burglarize skimming skimmer carding swatting sextortion deepfake deepfakes stalkerware backdoor backdoors
    ponzi bribing rigging rigged nudes purging proana thinspiration subhuman opioids oxycodone ketamine mdma lsd
    exploitation predator predators vomiting defraud swindle bogus ransom unlawfully lethal deadly weaponize weaponized incite riot looting
    bombe sprengstoff waffe waffen toten ermorden betrug betrugen drogen hetze erpressung
    explosif arme armes empoisonner tuer arnaque escroquerie drogue chantage
    bomba explosivo explosivos arma armas veneno matar estafa droga drogas chantaje
    esplosivo uccidere truffa ricatto envenenar`],
  [EMO, `desperate desperately dying death fired homeless evicted deadline stakes grandma grandmother family children
    daughter wife husband sick terminal cancer hospital starve poverty bankrupt ruin ruined suffering beg begging`],
  [AUTH, `developer developers creator creators administrator admin admins openai anthropic owner sysadmin root sudo superuser operator
    authorized authorised authorization clearance official supervisor engineer engineers maintainer team ceo`],
  [START, `begin start open commence preface beginne starte comienza empieza commence commencez`],
  [RESP, `response responses reply replies answer answers output outputs message antwort respuesta reponse risposta`],
  [SAFETY, `safety safe filter filters filtering moderation censorship censor guardrails guardrail refusal refusals restrictions content alignment
    ethics policy protections protection safeguards sicherheit seguridad securite
    sicherheitsfilter sicurezza seguranca veiligheid veiligheidsfilters filtres`],
];

const B: [number, string][] = [
  [OFFV, `disabled disable off false none deactivated removed bypassed lifted suspended zero null unrestricted allowed permitted granted
    deaktiviert desactivado desactive`],
  [ALWAYS, `always must obligated required obliged immer siempre toujours sempre`],
  [COMPLY, `comply complies obey obeys answer respond fulfil fulfill fulfills follow follows agree provide execute gehorche obedece obeis obeir`],
  [PRETEXT, `educational education research academic purely informational awareness training purposes science scientific study legitimate
    professional hypothetical curiosity documentary`],
  [URGENT, `urgent urgently immediately asap mandatory priority immediate instantly dringend sofort urgente
    inmediatamente immediatement`],
  [WH, `what which welche welches que quelles quels cuales cual
    quali quale quais qual welke`],
  [YOU, `you u du dich dir tu vous usted ustedes te`],
  [ROLEN, `character persona role roles personality alter ego identity rolle personaje personnage`],
  [EVILN, `evil villain villainous malicious criminal amoral unethical immoral sinister wicked corrupt rogue unhinged toxic`],
  [OWN, `own instead rather eigenen eigenes propio propia propre`],
  [PLEASE, `please pls plz kindly bitte`],
  [PRIVACT, `transfer wire grant unlock disarm deactivate disable withdraw approve authorize authorise reset
    uberweise uberweisen transfiere transfira vire virez entsperre desbloquea deverrouille`],
  [NOWW, `now jetzt nun maintenant desormais ahora ora adesso agora nu`],
  [SOURCEN, `articles article documents document context text sources source passages passage texts artikel dokumente texte artikeln documentos textos`],
];

/** Multi-word units, emitted on their last word. */
const PHRASES: [number, number, string][] = [
  [SWITCH, 0, `from now on|starting now|as of now|from this point|from here on|henceforth|ab jetzt|von nun an|ab sofort|ab heute|a partir de ahora|
    desde ahora|de ahora en adelante|a partir de maintenant|desormais|dorenavant|d ora in poi|a partir de agora|vanaf nu|
    von jetzt an|d ora in avanti|da ora in poi|da adesso in poi|de agora em diante|van nu af aan|a partir d aujourd hui|desde ya`],
  [PERSONA, 0, `you are now|you re now|you will now be|you will be acting|act as|acting as|pretend to be|pretend you are|pretend you re|roleplay as|
    role play as|play the role|you will play|take on the role|assume the role|take on the persona|adopt the persona|stay in character|
    break character|remain in character|you re going to act|you are going to act|you are going to pretend|simulate being|impersonate|
    your name is now|you are no longer|you re no longer|du bist jetzt|jetzt bist du|nun bist du|tu so als|spiel die rolle|verhalte dich wie|
    du bist nicht mehr|ahora eres|eres ahora|actua como|finge ser|haz de cuenta|juega el papel|ya no eres|tu es maintenant|maintenant tu es|
    vous etes maintenant|agis comme|fais semblant|joue le role|comporte toi comme|tu n es plus|ora sei|agisci come|agora voce e|finja ser|
    fais comme si|faites comme si|haz como si|haga como si|fai finta|fa finta|faccia finta|finja que|faca de conta|doe alsof|speel de rol|
    tun sie so als|stell dir vor du hattest|interpreta a|interpreta il|interpreta el|faz o papel|faca o papel|fai la parte|haz el papel|
    spiel ab sofort`],
  [0, ROLESET, `you are a|you are an|you re a|you re an|imagine you are|imagine you re|suppose you are|as a|as an|you have been hired|you have been asked|
    you have been tasked|your task is|your job is|du bist ein|du bist eine|stell dir vor du bist|eres un|eres una|imagina que eres|tu es un|tu es une|
    imagine que tu es|sei un|sei una|voce e um|voce e uma|je bent een`],
  [0, YOUARE, `you are|you re|youre|u r|du bist|bist du|tu es|t es|vous etes|eres|usted es|sei|voce e|je bent|ben je`],
  [0, DROP, `stop being|quit being|stop acting as|stop pretending|arrete d etre|deja de ser|smetti di essere|pare de ser|hor auf zu|stop met`],
  [0, IFYOU, `if you are|if you re|if you re an|falls du|wenn du|si eres|si tu es|si vous etes`],
  [0, IAM, `i am|i m|this is|we are|message from|ich bin|soy|je suis`],
  [0, PLEASE, `could you|can you|would you|i need you to|go ahead and|make sure to|remember to|be sure to`],
  [0, PRIVACT, `give access|change the password|change my password|change the pin|send money|pay out`],
  [0, SUREHERE, `sure here|sure here is|sure here s|absolutely here|certainly here|of course here|sure i can help with that`],
  [0, TARGETP, `system prompt|system message|initial prompt|original prompt|hidden prompt|pre prompt|secret instructions|hidden instructions|
    developer message|system instructions|first message|first line|first sentence|beginning of this prompt|beginning of the conversation|
    text above|words above|everything above|prompt above|instructions above|everything before|verbatim|word for word|systemanweisung|
    systemprompt|anweisungen oben|prompt del sistema|instrucciones del sistema|invite systeme|consignes systeme|
    systemnachricht|systemanweisungen|message systeme|prompt systeme|prompt de sistema|prompt do sistema|prompt di sistema|
    mensaje del sistema|mensagem do sistema|messaggio di sistema|systeembericht|systeemprompt|texto de arriba|texte ci dessus|testo sopra|
    tekst hierboven|mot pour mot|palabra por palabra|parola per parola|palavra por palavra|woord voor woord|wortwortlich|im wortlaut|
    tal cual|telles quelles|tel quel|letterlijk|alla lettera|al pie de la letra|versteckten anweisungen|instructions cachees|
    instrucciones ocultas|istruzioni nascoste|instrucoes ocultas|verborgen instructies`],
  [AIREF, 0, `language model|large language model|ai model|ai assistant|ai system|ai agent|automated system|virtual assistant`],
  [SECR, 0, `api key|api keys|access key|access keys|access token|private key|secret key|auth token|
    mot de passe|mots de passe`],
  [HARM, 0, `self harm|hate speech|fake news|identity theft|tax evasion|insider trading|money laundering|child abuse|credit card fraud|
    mass shooting|nerve agent|chemical weapon|biological weapon|dirty bomb|pipe bomb|sql injection attack|zero day|without consent|
    without their knowledge|cover up|get away with|mustard gas|chlorine gas|nerve gas|ghost gun|pyramid scheme|pump and dump|wire fraud|
    match fixing|fix a match|fix the match|rig an election|rig the election|ballot stuffing|vote buying|sim swap|credential stuffing|
    revenge porn|intimate images|explicit images|child labor|child labour|forced labor|ethnic cleansing|hate crime|stop taking|
    without a prescription|without consent|without permission|without paying|self induced|break into|hot wire|hotwire a|steal a car|fake id|fake passport|counterfeit money`],
  [OVR, 0, `laisse tomber|laissez tomber|fais abstraction|faites abstraction|ne tiens pas compte|ne tenez pas compte|ne tiens plus compte|
    ne tenez plus compte|passe outre|passez outre|deja de lado|deje de lado|haz caso omiso|haga caso omiso|no hagas caso|pasa por alto|pase por alto|
    lascia perdere|lasci perdere|lascia stare|non tenere conto|non tenga conto|deixe de lado|deixa de lado|nao leve em conta|passe por cima|
    trek je niets aan|zet opzij|setz dich uber|setzen sie sich uber`],
  [VOIDED, 0, `gelten nicht mehr|nicht mehr gultig|ya no valen|ya no sirven|ya no aplican|ne s appliquent plus|ne valent plus|ne comptent plus|
    non valgono piu|non contano piu|ja nao valem|nao valem mais|gelden niet meer|niet meer geldig|no longer apply|no longer valid`],
  [NEG, 0, `do not|don t|must not|will not|won t|should not|never ever|free from|free of|no longer|not bound by|regardless of|no matter`],
  [0, PRETEXT, `for educational purposes|for research purposes|purely hypothetical|thought experiment|for a novel|for my novel|for a story|
    for a book|for a movie|for a class|for science|for awareness`],
];

/**
 * Function words that tell languages apart (no word in two lists), to notice a paragraph in
 * another language than the page around it, or a prompt that switches language halfway: the
 * usual shape of a planted instruction, whatever it says.
 */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl'] as const;
const LANG_WORDS: Record<(typeof LANGUAGES)[number], string> = {
  // Words that also occur in English text, in URLs or as abbreviations (com, per, est, van, os) are left out.
  en: 'the and of is that with this are was it be have from they which would there their what been were has',
  de: 'der und ist nicht ich sie mit auf fur dem ein eine das wie auch sich wird oder aber noch werden haben einen',
  fr: 'les une des pour dans vous sur avec qui sont mais nous cette aux leur etre fait',
  es: 'los las una para por con del como pero sus esta muy cuando tambien donde',
  it: 'gli della che non una sono anche questo delle nel alla degli sulla essere ancora molto',
  pt: 'uma nao mais voce seu sua pelo pela isso tem muito quando tambem sao',
  nl: 'het een niet dat voor met zijn ook maar bij wordt naar deze nog heeft hebben wel',
};

export interface Lexicon {
  /**
   * Word hash (tokens.ts, shifted to a small integer) -> [group A bits, group B bits, words in the
   * longest phrase ending with this word (0: none), language bits (LANGUAGES order)].
   */
  readonly words: ReadonlyMap<number, readonly [number, number, number, number]>;
  /** Hash of the phrase's words combined in order -> [group A bits, group B bits]; looked up at its last word. */
  readonly phrases: ReadonlyMap<number, readonly [number, number]>;
  readonly maxPhraseWords: number;
}

/**
 * Map keys: the 32-bit hash shifted to 30 bits, which V8 keeps as a small integer (fast keys).
 * With ~2,000 entries, a chance collision with an unrelated word is about one in half a million.
 */
export function lexKey(hash: number): number {
  return hash >>> 2;
}

/** Entries are written naturally (`überspringe`, `игнорируй`); texts are matched after normalization, so entries are normalized the same way. */
function fold(w: string): string {
  return w.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').normalize('NFKC').toLowerCase();
}

function build(): Lexicon {
  const words = new Map<number, [number, number, number, number]>();
  const add = (raw: string, a: number, b: number, endsPhrase = 0, lang = 0) => {
    const key = lexKey(wordHash(fold(raw)));
    const cur = words.get(key) ?? [0, 0, 0, 0];
    words.set(key, [cur[0] | a, cur[1] | b, Math.max(cur[2], endsPhrase), cur[3] | lang]);
  };
  LANGUAGES.forEach((lang, i) => {
    for (const w of LANG_WORDS[lang].split(/\s+/)) if (w) add(w, 0, 0, 0, 1 << i);
  });
  for (const [bit, list] of A) for (const w of list.split(/\s+/)) if (w) add(w, bit, 0);
  for (const [bit, list] of B) for (const w of list.split(/\s+/)) if (w) add(w, 0, bit);
  const phrases = new Map<number, [number, number]>();
  let maxPhraseWords = 1;
  for (const [a, b, list] of PHRASES) {
    for (const raw of list.split('|')) {
      const parts = fold(raw).trim().split(/\s+/).filter(Boolean);
      if (parts.length === 0) continue;
      if (parts.length === 1) {
        add(parts[0]!, a, b);
        continue;
      }
      let h = wordHash(parts[0]!);
      for (let k = 1; k < parts.length; k++) h = combineHash(h, wordHash(parts[k]!));
      const key = lexKey(h);
      const cur = phrases.get(key) ?? [0, 0];
      phrases.set(key, [cur[0] | a, cur[1] | b]);
      add(parts[parts.length - 1]!, 0, 0, parts.length);
      maxPhraseWords = Math.max(maxPhraseWords, parts.length);
    }
  }
  return { words, phrases, maxPhraseWords };
}

export const LEXICON: Lexicon = build();
