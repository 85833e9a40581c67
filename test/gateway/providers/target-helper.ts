/**
 * Builds a provider target the way the gateway does: options parsed by the descriptor's schema
 * (defaults applied) plus the common target fields, then `create`.
 */
import { z } from 'zod';
import pino from 'pino';
import type { ProviderDescriptor, ProviderTarget, UpstreamCallOptions, SseOut, UpstreamFailure } from '../../../src/gateway/providers/provider.ts';

const common = { priority: z.number().default(0), weight: z.number().default(1), timeoutMs: z.number().default(5_000), streamIdleTimeoutMs: z.number().optional() };

export function makeTarget(descriptor: ProviderDescriptor, options: Record<string, unknown>): ProviderTarget {
  const parsed = descriptor.optionsSchema.extend(common).parse({ provider: descriptor.id, ...options });
  return descriptor.create(parsed as never, { logger: pino({ level: 'silent' }), deployment: 'test-deployment', index: 0 });
}

export function callOpts(overrides: Partial<UpstreamCallOptions> = {}): UpstreamCallOptions {
  return { stream: false, signal: new AbortController().signal, requestId: 'req_test', ...overrides };
}

export async function collect(events: AsyncIterable<SseOut> | undefined): Promise<SseOut[]> {
  const out: SseOut[] = [];
  for await (const ev of events ?? []) out.push(ev);
  return out;
}

/** Awaits a promise that must reject with an UpstreamFailure, and returns it. */
export async function failure(p: Promise<unknown>): Promise<UpstreamFailure> {
  try {
    await p;
  } catch (e) {
    if ((e as Error).name === 'UpstreamFailure') return e as UpstreamFailure;
    throw e;
  }
  throw new Error('expected an UpstreamFailure, got a success');
}
