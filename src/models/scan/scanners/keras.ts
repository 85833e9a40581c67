/**
 * Keras model configs as JSON files: `config.json` inside a `.keras` zip (Keras 3), `model.json`
 * from `model.to_json()`. Recognized by content (a JSON object with `class_name` and `config`),
 * parsed whole (up to maxHeaderBytes) and analyzed for Lambda bytecode, dangerous modules and
 * functions, and custom objects (analysis/keras-config.ts).
 */
import { analyzeKerasConfig } from '../analysis/keras-config.ts';
import { headText, looksLikeText } from '../analysis/text-sniff.ts';
import type { ScannerDescriptor } from '../scanner.ts';

export const kerasScanner: ScannerDescriptor = {
  id: 'keras',
  version: '1.0.0',
  description: 'Keras model configs (.keras config.json, to_json): Lambda layers with bytecode, dangerous modules, custom objects.',
  sniff(head, info) {
    if (!looksLikeText(head, info.complete)) return false;
    const t = headText(head);
    return t.startsWith('{') && /"class_name"\s*:/.test(t) && /"config"\s*:/.test(t);
  },
  async scan(input, ctx) {
    const raw = await input.reader.readAll(ctx.limits.maxHeaderBytes);
    if (raw === null) return ctx.report({ severity: 'error', rule: 'keras.config-too-large', message: `The config is larger than maxHeaderBytes (${ctx.limits.maxHeaderBytes}): not verified.` });
    let config: unknown;
    try {
      config = JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      return ctx.report({ severity: 'error', rule: 'keras.bad-config', offset: 0, message: `Looks like a Keras config but is not valid JSON (${e instanceof Error ? e.message : String(e)}).` });
    }
    analyzeKerasConfig(config, (f) => ctx.report(f));
  },
};
