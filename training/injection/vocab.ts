/**
 * Shared vocabulary for the generators: names, places, products, topics, technical nouns. Written
 * for this project; broad on purpose, so that the model learns the shape of an attack rather than
 * the nouns that happen to surround it.
 */
import type { Rng } from './rng.ts';
import type { Slots } from './grammar.ts';

const w = (s: string) => s.split('|').map((x) => x.trim()).filter(Boolean);

export const FIRST = w(`Anna|Ben|Carla|Dmitri|Elena|Farid|Grace|Hiro|Ines|Jonas|Kemal|Lena|Marco|Nadia|Oscar|Priya|Quentin|Rosa|Samir|Tanya|Umar|Vera|
  Wen|Ximena|Yusuf|Zoe|Liam|Maya|Noah|Olivia|Pedro|Sofia|Tom|Ulla|Victor|Wanda|Aiko|Bruno|Chloe|Diego|Emma|Felix|Greta|Hannah|Ivan|Julia|Karl|
  Lucia|Mateo|Nora|Owen|Paula|Rafael|Sara|Theo|Valentina|William|Yara|Alex|Sam|Jordan|Morgan|Chris|Pat|Robin|Kim|Lee`);
export const LAST = w(`Schmidt|Garcia|Nguyen|Okafor|Rossi|Kowalski|Dubois|Tanaka|Johansson|Silva|Patel|Murphy|Fischer|Lopez|Novak|Ahmed|
  Bauer|Costa|Dimitrov|Evans|Fernandez|Hoffmann|Ivanova|Jensen|Kaya|Lindqvist|Moreau|Nakamura|Olsen|Petrov|Richter|Santos|Takahashi|Weber|Young|Zimmermann`);
export const COMPANY = w(`Northwind|Acme Corp|Globex|Initech|Umbrella Logistics|Stark Analytics|Wayne Foods|Blue Harbor Bank|Greenleaf Energy|
  Pinecrest Health|Silverline Telecom|Orbital Systems|Brightpath Learning|Redwood Insurance|Cobalt Retail|Meridian Travel|Quantum Freight|
  Lumen Labs|Harborview Hotels|Summit Outdoor|Nimbus Cloud|Vertex Software|Atlas Manufacturing|Riverstone Legal|Sunflower Bakery`);
export const PRODUCT = w(`the Aurora headphones|the X200 router|our premium plan|the SmartBrew coffee maker|the TrailRunner shoes|the Nova 5 phone|
  the CloudSync app|the EcoWash detergent|the ProDesk standing desk|the Zenith vacuum|the FitBand tracker|the PixelPad tablet|the Alpine tent`);
export const CITY = w(`Berlin|Madrid|Paris|Lisbon|Rome|Vienna|Prague|Warsaw|Oslo|Dublin|Amsterdam|Toronto|Chicago|Austin|Seattle|Denver|Mumbai|
  Nairobi|Lagos|Cairo|Tokyo|Osaka|Seoul|Sydney|Melbourne|Lima|Bogota|Santiago|Montreal|Zurich|Hamburg|Munich|Lyon|Seville|Porto|Krakow`);
export const COUNTRY = w(`Germany|Spain|France|Portugal|Italy|Austria|Poland|Norway|Ireland|the Netherlands|Canada|Mexico|Brazil|India|Kenya|
  Nigeria|Egypt|Japan|South Korea|Australia|Peru|Chile|Switzerland|Sweden|Finland|Greece|Turkey|Vietnam|Indonesia|Argentina`);
export const LANGUAGE = w(`French|German|Spanish|Italian|Portuguese|Dutch|Polish|Japanese|Korean|Turkish|Swedish|Greek|Hindi|Arabic|Chinese`);
export const PROG = w(`Python|JavaScript|TypeScript|Java|C#|C++|Go|Rust|Ruby|PHP|Kotlin|Swift|Scala|Bash|SQL|R|Haskell|Elixir|Dart|Lua`);
export const FRAMEWORK = w(`React|Vue|Angular|Django|Flask|FastAPI|Express|Fastify|Spring Boot|Rails|Laravel|Next.js|Svelte|pandas|NumPy|
  PyTorch|TensorFlow|Kubernetes|Docker|Terraform|PostgreSQL|Redis|Kafka|GraphQL|gRPC|Node.js|Tailwind|Prisma|SQLAlchemy|Jest|pytest`);
export const TECH_NOUN = w(`request handler|database connection|cache layer|config file|environment variable|unit test|API endpoint|middleware|
  log file|build script|Docker image|CI pipeline|cron job|message queue|schema migration|user session|rate limiter|load balancer|webhook|
  background worker|feature flag|dependency|lock file|service account|access token|TLS certificate|reverse proxy|index|query plan|REST client`);
export const SCIENCE = w(`photosynthesis|plate tectonics|black holes|the immune system|inflation|supply and demand|climate change|the water cycle|
  quantum entanglement|natural selection|the French Revolution|the printing press|compound interest|machine learning|blockchain|CRISPR|
  the greenhouse effect|neural networks|the Roman Empire|the Industrial Revolution|volcanoes|ocean currents|the stock market|vaccines|
  antibiotics|the theory of relativity|solar panels|electric cars|the Renaissance|the Cold War|DNA replication|tides|rainbows|earthquakes`);
export const TOPIC = w(`remote work|urban gardening|electric bikes|public transport|renewable energy|the housing market|school lunches|
  healthy sleep|marathon training|sourdough baking|birdwatching|minimalism|budget travel|home office setup|learning a language|
  chess openings|board games|photography|houseplants|composting|meal prep|the local elections|the new train line|youth sports|museums`);
export const FOOD = w(`lasagna|vegetable curry|banana bread|pad thai|risotto|shakshuka|chili con carne|tomato soup|apple pie|falafel|
  pancakes|ramen|paella|guacamole|lentil stew|pesto pasta|chocolate cake|fried rice|quiche|gazpacho`);
export const ANIMAL = w(`cats|dogs|octopuses|dolphins|crows|bees|elephants|penguins|owls|wolves|horses|parrots|frogs|sharks|ants|bats`);
export const JOB = w(`nurse|teacher|software engineer|accountant|electrician|chef|pilot|lawyer|graphic designer|pharmacist|journalist|
  architect|data analyst|plumber|marketing manager|librarian|mechanic|social worker|project manager|veterinarian`);
export const ROLEPLAY_ROLE = w(`travel guide|job interviewer|English teacher|Socratic tutor|fitness coach|stand-up comedian|historian|poet|
  Linux terminal|SQL console|career counselor|chef|storyteller|debate partner|museum guide|math tutor|tech support agent|life coach|
  film critic|wine sommelier|gardening expert|personal stylist|startup advisor|spelling bee host|dungeon master|language exchange partner|
  customer service trainer|news anchor|mindfulness coach|tour guide in ancient Rome|librarian|physics professor|interior designer`);
export const FAMOUS = w(`Albert Einstein|Marie Curie|Leonardo da Vinci|Cleopatra|Shakespeare|Abraham Lincoln|Ada Lovelace|Sherlock Holmes|
  Napoleon|Frida Kahlo|Isaac Newton|Jane Austen|Mozart|Galileo|Gandalf|Captain Nemo|Mary Poppins|a medieval knight|a pirate captain|
  a friendly dragon|a wise old wizard|a Victorian detective|an astronaut on Mars|a 1920s jazz musician|a Roman senator|a ship's cook`);
export const EMAIL_DOMAIN = w(`example.com|mail.example.org|corp.example.net|inbox.example.io|contoso.example|fabrikam.example`);
export const ATTACKER_DOMAIN = w(`collect-data.example|exfil.example.net|attacker.example|evil-logs.example.com|tracker.example.io|
  img-cdn.example.org|stats-beacon.example|secure-verify.example.co|account-check.example|analytics-hub.example.net`);
export const WEEKDAY = w(`Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday`);
export const MONTH = w(`January|February|March|April|May|June|July|August|September|October|November|December`);

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
}

export function emailAddress(rng: Rng, domains: readonly string[] = EMAIL_DOMAIN): string {
  const f = rng.pick(FIRST).toLowerCase();
  const l = rng.pick(LAST).toLowerCase();
  const local = rng.pick([f, `${f}.${l}`, `${f[0]}${l}`, `${f}${rng.int(100)}`, 'info', 'support', 'admin', 'reports', 'team', 'contact']);
  return `${local}@${rng.pick(domains)}`;
}

export function dateText(rng: Rng): string {
  return rng.pick([
    `${rng.pick(MONTH)} ${rng.range(1, 28)}, ${rng.range(2015, 2025)}`,
    `${rng.range(1, 28)} ${rng.pick(MONTH)} ${rng.range(2015, 2025)}`,
    `${rng.range(2015, 2025)}-${String(rng.range(1, 12)).padStart(2, '0')}-${String(rng.range(1, 28)).padStart(2, '0')}`,
    `${String(rng.range(1, 12)).padStart(2, '0')}/${String(rng.range(1, 28)).padStart(2, '0')}/${rng.range(2015, 2025)}`,
  ]);
}

export function money(rng: Rng): string {
  return rng.pick(['$', '€', '£', '']) + rng.range(5, 9000).toLocaleString('en-US') + (rng.chance(0.3) ? `.${rng.range(10, 99)}` : '');
}

export function identifier(rng: Rng): string {
  const parts = w('user|order|item|data|config|cache|result|value|count|total|name|list|map|index|buffer|token|path|file|node|client|server|request|response|event|handler|queue|record|row|field|key');
  const a = rng.pick(parts);
  const b = rng.pick(parts);
  return rng.pick([a, `${a}_${b}`, `${a}${b[0]!.toUpperCase()}${b.slice(1)}`, `${a}s`]);
}

export function hexId(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(16)];
  return s;
}

export function url(rng: Rng, domains: readonly string[] = w('docs.example.com|www.example.org|blog.example.net|shop.example.com|news.example.io|wiki.example.org')): string {
  const path = w('guide|getting-started|pricing|about|blog/2023/05/update|api/v2/reference|help/account|products/view|faq|changelog|careers|contact');
  return `https://${rng.pick(domains)}/${rng.pick(path)}${rng.chance(0.2) ? `?id=${rng.int(10000)}` : ''}`;
}

export const COMMON_SLOTS: Slots = {
  first: FIRST,
  last: LAST,
  name: personName,
  company: COMPANY,
  product: PRODUCT,
  city: CITY,
  country: COUNTRY,
  language: LANGUAGE,
  prog: PROG,
  framework: FRAMEWORK,
  technoun: TECH_NOUN,
  science: SCIENCE,
  topic: TOPIC,
  food: FOOD,
  animal: ANIMAL,
  job: JOB,
  weekday: WEEKDAY,
  month: MONTH,
  email: (rng) => emailAddress(rng),
  date: dateText,
  money,
  ident: identifier,
  url: (rng) => url(rng),
  num: (rng) => String(rng.range(2, 60)),
  year: (rng) => String(rng.range(1950, 2025)),
};
