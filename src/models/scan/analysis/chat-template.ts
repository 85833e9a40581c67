/**
 * Chat templates are Jinja2 programs (GGUF `tokenizer.chat_template`, `tokenizer_config.json`
 * `chat_template`) that runtimes render for every request. Jinja's sandbox is the only barrier
 * between the template and Python (CVE-2024-34359, llama-cpp-python), so a template that walks
 * object internals (`__class__`, `__globals__`, `__subclasses__`), hides such names in escapes, or
 * names OS-level calls is malicious; gadget globals (`lipsum`, `cycler`, `joiner`), the `attr`
 * filter and template loading are suspicious. Only the code inside `{{ }}` and `{% %}` is judged:
 * the literal text around it is what the model reads, and may talk about anything.
 */

export interface TemplateIssue {
  readonly severity: 'malicious' | 'suspicious';
  readonly rule: string;
  readonly why: string;
  /** Offset of the match in the template text. */
  readonly index: number;
  readonly match: string;
}

interface Check {
  readonly re: RegExp;
  readonly severity: 'malicious' | 'suspicious';
  readonly rule: string;
  readonly why: string;
}

// Linear regexes (no nested quantifiers) run over code blocks only.
const CHECKS: readonly Check[] = [
  { re: /__[A-Za-z]\w*__/g, severity: 'malicious', rule: 'chat-template.python-internals', why: 'reaches Python object internals (dunder attribute), the classic Jinja sandbox escape' },
  { re: /_TemplateReference__\w+|\bmro\(\)/g, severity: 'malicious', rule: 'chat-template.python-internals', why: 'reaches Jinja internals' },
  { re: /\\x5[fF]|\\u005[fF]|\\137|\\N\{LOW LINE\}/g, severity: 'malicious', rule: 'chat-template.obfuscated-access', why: 'spells an underscore with an escape, a way to build dunder names past filters' },
  { re: /\b(?:os|subprocess|sys|builtins|importlib|posix)\s*\.\s*\w+|\b(?:popen|system|eval|exec|execfile|compile|__import__|getattr|setattr|open|spawn\w*)\s*\(|\bimport_module\b/g, severity: 'malicious', rule: 'chat-template.code-execution', why: 'names an operating-system or code-execution call' },
  { re: /\b(?:lipsum|cycler|joiner|url_for|get_flashed_messages|request|config)\b/g, severity: 'suspicious', rule: 'chat-template.jinja-gadget', why: 'uses a Jinja/Flask global known as a sandbox-escape gadget' },
  { re: /\|\s*attr\s*\(/g, severity: 'suspicious', rule: 'chat-template.attr-filter', why: "uses the attr filter, which looks attributes up by computed name" },
  { re: /^\s*-?\s*(?:import|include|extends|from)\b/g, severity: 'suspicious', rule: 'chat-template.template-loading', why: 'loads another template (import/include/extends/from)' },
];

interface Block { start: number; text: string }

/** The code of `{{ ... }}` and `{% ... %}` blocks (comments `{# #}` dropped), with positions. */
function codeBlocks(template: string): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0 || open + 1 >= template.length) break;
    const kind = template[open + 1];
    if (kind !== '{' && kind !== '%' && kind !== '#') {
      i = open + 1;
      continue;
    }
    const closer = kind === '{' ? '}}' : kind === '%' ? '%}' : '#}';
    const close = template.indexOf(closer, open + 2);
    const end = close < 0 ? template.length : close;
    if (kind !== '#') out.push({ start: open + 2, text: template.slice(open + 2, end) });
    i = close < 0 ? template.length : close + 2;
  }
  return out;
}

export function analyzeChatTemplate(template: string): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const seen = new Set<string>();
  for (const block of codeBlocks(template)) {
    for (const c of CHECKS) {
      c.re.lastIndex = 0;
      for (let m = c.re.exec(block.text); m !== null; m = c.re.exec(block.text)) {
        const key = `${c.rule}|${m[0]}`;
        if (!seen.has(key)) {
          seen.add(key);
          issues.push({ severity: c.severity, rule: c.rule, why: c.why, index: block.start + m.index, match: m[0].slice(0, 80) });
        }
        if (m[0].length === 0) c.re.lastIndex++;
      }
    }
  }
  return issues;
}
