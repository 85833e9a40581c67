/**
 * The ways to the same mock upstream, each with the request a client would send: straight to the
 * upstream with the provider key; through the bare Node.js proxy (the floor of any Node gateway);
 * through Rampart with a Rampart API key (guard off on one thread and on several, then with the
 * default guard profile; with --compare, also another git revision's Rampart like the first);
 * through Portkey with the provider key and Portkey's
 * provider and custom-host headers.
 */
import type { Server } from './processes.ts';

export type TargetName = 'direct' | 'node-proxy' | 'rampart' | 'rampart-threads' | 'rampart-guard' | 'rampart-ref' | 'portkey';
/** Targets --targets may name (rampart-ref comes with --compare). */
export const TARGET_NAMES: readonly TargetName[] = ['direct', 'node-proxy', 'rampart', 'rampart-threads', 'rampart-guard', 'portkey'];
/** The Rampart targets, in the order the report lists them. */
export const RAMPART_TARGETS = ['rampart', 'rampart-threads', 'rampart-guard', 'rampart-ref'] as const;
export type RampartTarget = (typeof RAMPART_TARGETS)[number];

export interface Target {
  readonly name: TargetName;
  /** Origin of the server, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The process serving it, for CPU and memory readings. */
  readonly server: Server;
}

export const CHAT_PATH = '/v1/chat/completions';

/** The same small chat completion for every target; `model` names Rampart's deployment too. */
export function chatBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'Say hello to the benchmark in one short sentence.' },
    ],
    max_tokens: 32,
    ...(stream ? { stream: true } : {}),
  });
}

export interface Servers {
  upstream: Server;
  nodeProxy: Server | null;
  rampart: Partial<Record<RampartTarget, Server | null>>;
  portkey: Server | null;
}

export function buildTargets({ upstream, nodeProxy, rampart, portkey }: Servers, upstreamKey: string): Target[] {
  const json = { 'content-type': 'application/json' };
  const targets: Target[] = [
    { name: 'direct', origin: upstream.url, path: CHAT_PATH, headers: { ...json, authorization: `Bearer ${upstreamKey}` }, server: upstream },
  ];
  if (nodeProxy) targets.push({ name: 'node-proxy', origin: nodeProxy.url, path: CHAT_PATH, headers: json, server: nodeProxy });
  for (const name of RAMPART_TARGETS) {
    const server = rampart[name];
    if (server) targets.push({ name, origin: server.url, path: CHAT_PATH, headers: { ...json, authorization: `Bearer ${server.apiKey}` }, server });
  }
  if (portkey) {
    targets.push({
      name: 'portkey',
      origin: portkey.url,
      path: CHAT_PATH,
      headers: { ...json, authorization: `Bearer ${upstreamKey}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
      server: portkey,
    });
  }
  return targets;
}
