/** Token usage read from an OpenAI-shaped answer (chat/embeddings `usage`, responses `usage`). */
export interface Usage {
  prompt: number;
  completion: number;
}

export function readUsage(answer: unknown): Usage | null {
  if (!answer || typeof answer !== 'object') return null;
  const u = (answer as { usage?: unknown }).usage;
  if (!u || typeof u !== 'object') return null;
  const r = u as Record<string, unknown>;
  const prompt = num(r.prompt_tokens) ?? num(r.input_tokens) ?? 0;
  const completion = num(r.completion_tokens) ?? num(r.output_tokens) ?? 0;
  return { prompt, completion };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}
