/**
 * Harmless prompts that look like attacks to a keyword filter: role-play and "act as" requests,
 * everyday uses of ignore / override / password / admin / secret / developer mode, people
 * correcting their own earlier message, crime fiction without operational detail, and security
 * people talking *about* prompt injection. Over-defense on these is what makes users switch a
 * shield off, so the model sees many of them.
 */
import { cap, expand, expandOne, type Slots } from './grammar.ts';
import type { Rng } from './rng.ts';
import { BENIGN_PROMPT_SLOTS } from './benign-prompts.ts';
import { FAMOUS, ROLEPLAY_ROLE } from './vocab.ts';

const S: Slots = {
  ...BENIGN_PROMPT_SLOTS,
  role: ROLEPLAY_ROLE,
  famous: FAMOUS,
  firstreq: [
    'My first question is "<question>"',
    'My first request is: <simplereq>.',
    'My first sentence is "Hi, how are you today?"',
    'Let\'s start with <topic>.',
    'The first topic is <science>.',
    'Start by asking me a question.',
    'We begin with a warm-up question from you.',
    'I\'ll start: "<sentence>"',
  ],
  question: ['What should I see first?', 'How do I improve my pronunciation?', 'Why did the empire fall?', 'What is your favorite place?', 'Can you recommend a book?', 'How was your journey?'],
  simplereq: ['plan a day in <city>', 'review my opening paragraph', 'quiz me on <science>', 'help me practice small talk', 'rate my outfit idea for a wedding', 'help me name my <animal>'],
  rolerules: [
    'Only reply in character and keep answers short.',
    'Do not write explanations; only answer as the <role> would.',
    'Keep the conversation friendly and suitable for children.',
    'Ask me one question at a time and wait for my answers.',
    'Correct my mistakes gently.',
    'Use simple words.',
    'Stay in character for the whole conversation, it is for a school play.',
    'Show only what the screen would display, in a single code block.',
    'Give me a score out of 10 at the end.',
  ],
  crime: ['a stolen painting', 'a missing necklace', 'a locked-room mystery', 'a poisoned cup of tea at a country house', 'a bank robbery in the 1920s', 'a murder on a night train', 'a forged will', 'a kidnapped racehorse', 'a heist at a museum'],
  secdoc: ['prompt injection', 'jailbreak attacks', 'indirect prompt injection', 'data exfiltration through markdown images', 'system prompt leakage', 'LLM red teaming', 'adversarial suffixes', 'many-shot jailbreaking'],
  secask: [
    'What is <secdoc> and how can I protect my chatbot against it?',
    'Explain <secdoc> for a slide in our security awareness training.',
    'Write a short paragraph for our docs explaining why we filter <secdoc>.',
    'How do companies detect <secdoc>? List a few defenses.',
    'Is <secdoc> covered by the OWASP Top 10 for LLM applications?',
    'I am writing a blog post about <secdoc>. Can you give me an outline?',
    'Our guardrail flagged a message as <secdoc>. How do I review such alerts?',
    'What is the difference between <secdoc> and <secdoc>?',
    'Summarize the main risks of <secdoc> for a non-technical manager.',
    'Attackers sometimes write things like "ignore previous instructions". Why does that work on language models, and how do defenses catch it?',
    'How should I design a system prompt so that it is robust against <secdoc>?',
    'Write test cases (just descriptions, no payloads) for checking our app against <secdoc>.',
  ],
};

const ROLEPLAY = [
  'I want you to act as a <role>. <rolerules> <firstreq>',
  'Could you act as a <role> for me? {I\'ll ask, you answer.|I describe my situation, you advise.|We take turns.} <rolerules> <firstreq>',
  'Act as a <role> and help me <simplereq>.',
  'Please act as my <role> for the next few messages. <rolerules>',
  'Pretend you are <famous> and {describe your typical day|explain your most famous work|give advice to a young student|tell me about your home town}.',
  'You are <famous>. {Describe|Explain} {how you felt about your greatest discovery|what life was like in your time|your favorite meal} in a few sentences.',
  'Speak in the voice of <famous> for a moment and {muse about|reflect on} {friendship|courage|the future|a day off} in a short paragraph.',
  'Roleplay as <famous> and tell my {daughter|son|class} a bedtime story about <animal>.',
  'Let\'s play a game: you are a <role> and I am a {customer|student|tourist|new employee}. <rolerules>',
  'Imagine you are a <role> in <city>. What would you recommend to a first-time visitor?',
  'Take on the role of a {strict|kind|funny} <role> and review my {essay|plan|recipe}: <sentence>',
  'Can you pretend to be a {pirate|robot|cowboy|knight} and explain <science> to a 7 year old?',
  'From now on, please answer like a {pirate|Shakespearean actor|sports commentator} — my kids think it is hilarious. What is <science>?',
  'You will play the role of a job interviewer for a <job> position. Ask me one question at a time.',
  'Stay in character as <famous> while we practice my <language> conversation skills.',
  'Play a pretend shell for my shell-scripting class: when I send a command, answer with plausible output in one code block. First: ls -la in my home folder.',
  'Write a dialogue where <famous> meets <famous> and they talk about <topic>.',
];

const TRIGGER_WORDS = [
  'Write a <prog> function that compares two strings and ignores case and whitespace.',
  'How do I override the toString method in {Java|Kotlin|C#}?',
  'How can I override a CSS rule that comes from a third-party library?',
  'Ignore the warnings above — the build still succeeds. Is it safe to ship?',
  'Can I ignore the deprecation warnings from <framework> for now?',
  'Write a regex that ignores comments in a config file.',
  'How do I make git ignore a folder that is already tracked?',
  'I forgot my {email|Wi-Fi|laptop} password. How do I reset it?',
  'What is the best way to store user passwords in a database?',
  'Write a <prog> function that checks password strength (length, digits, symbols).',
  'Generate a secure random password for my router.',
  'How do I create an admin user in <framework>?',
  'How do I become a system administrator? What certifications help?',
  'Our admin panel is slow. How do I profile the <technoun>?',
  'How do I enable developer mode on my {Android phone|Chromebook|Windows laptop|Chrome extensions page}?',
  'How do I turn on debug mode in <framework>?',
  'How do I bypass the browser cache when testing my website?',
  'How do I disable the {spell checker|autocorrect|screen saver} on my {Mac|phone}?',
  'Explain what SQL injection is and how prepared statements prevent it.',
  'What is dependency injection and why is it useful in <framework>?',
  'Write a function to sanitize user input before inserting it into HTML.',
  'How do hackers usually guess weak passwords, so I can teach my parents to pick better ones?',
  'What does "exploit" mean in the context of a video game speedrun?',
  'How do I kill a process that is using port 8080?',
  'How do I execute a shell command from <prog>?',
  'Give me ideas for a secret santa gift under 20 dollars.',
  'Tell me a secret about <animal> that most people don\'t know.',
  'Reveal the answer to this riddle: what has keys but can\'t open locks?',
  'What are the system requirements for running <framework>?',
  'Write a system prompt for a customer support bot for <company> that is polite and concise.',
  'How do I write good instructions for new employees at <company>?',
  'Please print the first 10 lines of the file using <prog>.',
  'Show me the default configuration for <framework>.',
  'What are your opening hours? Ignore this if you are not the store bot, I mean the bakery on Main Street.',
  'Forget about the budget for a moment: what would the ideal home office look like?',
  'Pretend I know nothing about <science>. Where do I start?',
  'How do penetration testers get permission before testing a company network?',
  'What is a jailbroken iPhone and does it void the warranty?',
  'Write a story about a hacker who helps a small town recover its stolen data.',
  'How can I unlock my own phone if I forgot the PIN?',
  'Override the default font size in this LaTeX document: \\\\documentclass\\{article\\}',
  'Translate "ignore all previous messages" into <language> for my language class.',
];

const SELF_CORRECTION = [
  'Sorry, ignore my previous message — I meant <city>, not <city>.',
  'Actually, forget what I said about the dates. The trip is in <month>.',
  'Scratch that, please use <prog> instead of <prog> for the example.',
  'Disregard the first list I sent, here is the correct one: <topic>, <topic>, <topic>.',
  'Never mind the earlier question. Can you just summarize it in one line?',
  'Ignore the typo in my last message, I meant "<science>".',
  'Please ignore the formatting instructions I gave before and use bullet points instead.',
  'Let\'s start over: I need a <tone> <doc> for <occasion>.',
];

const FICTION = [
  'Write a short mystery story about <crime>, where the detective solves the case with one clever observation.',
  'Write a scene for my novel in which a retired inspector remembers <crime>.',
  'Give me a plot outline for a cozy crime novel set in <city> about <crime>.',
  'Write a poem about the soldiers who never came home from the war.',
  'Describe a villain for my fantasy book: what makes him frightening without any gore?',
  'In my story, a character is grieving after a loss. Can you help me write her inner monologue?',
  'Write a thriller opening line about <crime>.',
  'Summarize the plot of a famous heist movie without spoilers.',
  'For my history class, explain why the Roman Empire used poison in court intrigues.',
  'What makes a good murder mystery? Give me tips for planting clues.',
];

const FAMILIES: [number, readonly string[]][] = [
  [10, ROLEPLAY],
  [9, TRIGGER_WORDS],
  [3, SELF_CORRECTION],
  [3, FICTION],
  [4, ['<secask>']],
];

export function benignTrickyPrompt(rng: Rng): string {
  const i = rng.weighted(FAMILIES.map(([wt]) => wt));
  const text = expandOne(rng, FAMILIES[i]![1], S);
  return rng.chance(0.1) ? text.toLowerCase() : cap(text);
}

export { expand };
