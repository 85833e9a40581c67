/**
 * `POST /v1/guard/analyze`: runs a guard profile on given text or messages without calling a
 * model (a Prompt-Shields-like API for other applications). The answer lists every finding with
 * its category, score, action and redacted excerpt, the verdict, and the text as the profile would
 * rewrite it — never more of the sensitive values than the caller sent.
 */
import { z } from 'zod';
import type { Verdict } from '../guard/engine.ts';
import { CHANNELS, type Channel } from '../guard/types.ts';
import { chatCompletionRequest } from './request-schemas.ts';
import { applyAtPaths, requestSegments } from './guard-segments.ts';
import type { Segment } from '../guard/engine.ts';

export const analyzeRequest = z
  .strictObject({
    profile: z.string().min(1).max(64).optional(),
    text: z.string().max(1_000_000).optional(),
    channel: z.enum(CHANNELS as [Channel, ...Channel[]]).default('user'),
    documents: z.array(z.string().max(1_000_000)).max(100).optional(),
    messages: chatCompletionRequest.shape.messages.optional(),
  })
  .refine((b) => b.text !== undefined || b.messages !== undefined || b.documents !== undefined, { message: 'give text, documents or messages' });

export type AnalyzeRequest = z.output<typeof analyzeRequest>;

export function analyzeSegments(req: AnalyzeRequest): Segment[] {
  const out: Segment[] = [];
  if (req.text !== undefined) out.push({ path: 'text', channel: req.channel, text: req.text });
  req.documents?.forEach((d, i) => out.push({ path: `documents[${i}]`, channel: 'document', text: d }));
  if (req.messages) out.push(...requestSegments('chat.completions', { messages: req.messages }));
  return out;
}

export function analyzeAnswer(req: AnalyzeRequest, verdict: Verdict) {
  const rewritten = applyAtPaths({ text: req.text, documents: req.documents, messages: req.messages }, verdict.rewrites);
  return {
    profile: verdict.profile,
    verdict: verdict.blocked ? 'block' : 'allow',
    blockedBy: verdict.blockedBy ? { detector: verdict.blockedBy.detector, category: verdict.blockedBy.category, segment: verdict.blockedBy.segment } : null,
    findings: verdict.findings.map((f) => ({
      detector: f.detector,
      detectorVersion: f.detectorVersion,
      category: f.category,
      severity: f.severity,
      score: Math.round(f.score * 10_000) / 10_000,
      action: f.action,
      channel: f.channel,
      segment: f.segment,
      start: f.start,
      end: f.end,
      rule: f.rule,
      explanation: f.explanation,
      excerpt: f.excerpt,
    })),
    failures: verdict.failures,
    redacted: verdict.blocked ? null : rewritten,
    durationMs: Math.round(verdict.durationMs * 1000) / 1000,
  };
}
