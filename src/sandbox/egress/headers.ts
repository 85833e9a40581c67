/**
 * Header fields of the plain HTTP messages the egress proxy forwards. Hop-by-hop fields (RFC 9110
 * §7.6.1: Connection, the fields it names, Proxy-*, Keep-Alive, TE, Trailer, Transfer-Encoding,
 * Upgrade) stay on their hop, so the sandbox's Proxy-Authorization never reaches the origin and
 * Node re-frames each body itself. Host comes from the request target, not from the client's Host
 * field (RFC 9112 §3.2.2: a proxy replaces it), so one cannot be checked and the other used.
 */

const HOP_BY_HOP: readonly string[] = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
];

/** Never removed because Connection names them: the body framing depends on them. */
const KEEP_WHEN_NAMED = new Set(['content-length']);

/** `raw` (name, value, name, value…) without hop-by-hop fields and without `alsoDrop`. */
export function filterHeaders(raw: readonly string[], alsoDrop: readonly string[] = []): string[] {
  const drop = new Set([...HOP_BY_HOP, ...alsoDrop]);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1]!.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && !KEEP_WHEN_NAMED.has(name)) drop.add(name);
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!drop.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/**
 * Headers for the upstream request: Host set to the target's authority, hop-by-hop fields and
 * Expect (the proxy already answered 100-continue) removed. Null when the body uses a transfer
 * coding other than plain `chunked`, which the proxy would not forward faithfully.
 */
export function requestHeaders(raw: readonly string[], authority: string): string[] | null {
  const codings: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'transfer-encoding') codings.push(...raw[i + 1]!.split(',').map((c) => c.trim().toLowerCase()));
  }
  if (codings.length > 0 && (codings.length !== 1 || codings[0] !== 'chunked')) return null;
  const out = ['host', authority, ...filterHeaders(raw, ['host', 'expect'])];
  if (codings.length > 0) out.push('transfer-encoding', 'chunked');
  return out;
}
