/**
 * Plain text and JSON (configs, tokenizers, READMEs, vocabularies): recognized as such and not a
 * model. JSON objects are parsed (up to maxHeaderBytes) for the two things in them that run code:
 * a `chat_template` (Hugging Face `tokenizer_config.json`), analyzed as a Jinja program, and an
 * `auto_map`, which makes `trust_remote_code=True` import Python files shipped with the model.
 */
import { analyzeChatTemplate } from '../analysis/chat-template.ts';
import { headText, looksLikeText } from '../analysis/text-sniff.ts';
import type { ScanContext, ScannerDescriptor } from '../scanner.ts';

function templates(v: unknown): { name: string; template: string }[] {
  if (typeof v === 'string') return [{ name: 'chat_template', template: v }];
  if (!Array.isArray(v)) return [];
  const out: { name: string; template: string }[] = [];
  for (const t of v) {
    if (t && typeof t === 'object' && typeof (t as Record<string, unknown>)['template'] === 'string') {
      const name = (t as Record<string, unknown>)['name'];
      out.push({ name: `chat_template[${typeof name === 'string' ? name : '?'}]`, template: (t as Record<string, string>)['template']! });
    }
  }
  return out;
}

function checkJson(json: Record<string, unknown>, ctx: ScanContext): void {
  for (const { name, template } of templates(json['chat_template'])) {
    for (const issue of analyzeChatTemplate(template)) {
      ctx.report({ severity: issue.severity, rule: issue.rule, callable: issue.match, message: `'${name}' is a chat template that ${issue.why}: '${issue.match}' at character ${issue.index}.` });
    }
  }
  const autoMap = json['auto_map'];
  if (autoMap && typeof autoMap === 'object') {
    ctx.report({ severity: 'info', rule: 'text.remote-code', callable: Object.values(autoMap).flat().filter((x) => typeof x === 'string').slice(0, 3).join(', '), message: 'auto_map names Python classes shipped with the model: loading with trust_remote_code=True imports and runs them.' });
  }
}

export const textScanner: ScannerDescriptor = {
  id: 'text',
  version: '1.0.0',
  description: 'Text and JSON: chat templates in tokenizer configs, auto_map remote code.',
  sniff: (head, info) => looksLikeText(head, info.complete),
  async scan(input, ctx) {
    const t = headText(input.head);
    if (!t.startsWith('{')) return;
    const raw = await input.reader.readAll(ctx.limits.maxHeaderBytes);
    if (raw === null) return;
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, ''));
    } catch {
      return; // text that starts with a brace but is not JSON: nothing runs it
    }
    if (json && typeof json === 'object' && !Array.isArray(json)) checkJson(json as Record<string, unknown>, ctx);
  },
};
