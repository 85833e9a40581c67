/**
 * Option pieces shared by the providers' schemas, and the conversion of configured keys to
 * `Secret`s.
 */
import { z } from 'zod';
import { Secret } from '../../core/secret.ts';
import { isLoopbackHost } from '../../config/loopback.ts';
import type { CommonTargetOptions } from './provider.ts';

export { isLoopbackHost };

/** Why a base URL is refused, or undefined when it is acceptable. */
export function baseUrlProblem(value: string, allowHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an https URL or a loopback http URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL or a loopback http URL';
  if (url.protocol === 'http:' && !allowHttp && !isLoopbackHost(url.hostname)) {
    return 'must be an https URL or a loopback http URL';
  }
  // Credentials in a URL end up in logs; a query or fragment would be silently dropped.
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (use the apiKey option)';
  if (url.search !== '' || url.hash !== '') return 'must not contain a query or a fragment';
  return undefined;
}

/**
 * An upstream base URL: https, or plain http only to a loopback address (a local Ollama, vLLM or
 * LM Studio). Providers with an `allowHttp` escape hatch re-check at the object level.
 */
export function baseUrlSchema(description: string, allowAnyHttp = false): z.ZodString {
  return z
    .string()
    .superRefine((v, ctx) => {
      const problem = baseUrlProblem(v, allowAnyHttp);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(description);
}

/** A configured credential: a non-empty string, usually a `${env:NAME}` or `${file:path}` reference. */
export function secretSchema(description: string): z.ZodString {
  return z.string().min(1).describe(description);
}

/** Config loaders may already hand over a `Secret`; either way the provider keeps a `Secret`. */
export function toSecret(value: string | Secret): Secret {
  return value instanceof Secret ? value : new Secret(value);
}

/**
 * The common fields of a target's options, for `ProviderTarget.options`: a copy without the
 * provider's own fields, so that logging a target can never print its credential.
 */
export function commonOptions(o: CommonTargetOptions): CommonTargetOptions {
  const c: CommonTargetOptions = { provider: o.provider, priority: o.priority, weight: o.weight, timeoutMs: o.timeoutMs };
  if (o.streamIdleTimeoutMs !== undefined) c.streamIdleTimeoutMs = o.streamIdleTimeoutMs;
  return c;
}

/** The `UpstreamHttp` options every provider derives from its target options. */
export function httpTimeouts(o: CommonTargetOptions): { timeoutMs: number; streamIdleTimeoutMs?: number } {
  return o.streamIdleTimeoutMs === undefined ? { timeoutMs: o.timeoutMs } : { timeoutMs: o.timeoutMs, streamIdleTimeoutMs: o.streamIdleTimeoutMs };
}
