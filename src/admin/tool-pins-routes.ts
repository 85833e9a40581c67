/**
 * /admin/v1/tool-pins: first-seen tool-definition pins. A changed tool definition is refused (or
 * stripped) until an administrator accepts it by clearing its pin; the next request pins anew.
 */
import { RampartError } from '../core/errors.ts';
import type { PinRepo } from '../store/types.ts';
import type { AdminRoute } from './admin-api.ts';

const TEXT = /^[A-Za-z0-9._:@/#-]{1,256}$/;

/** The key prefix of pins (tool-definitions.ts pinKey): policy, then deployment, principal, tool, each needing the one before. */
export function pinPrefix(query: URLSearchParams): { prefix: string; exact: boolean } {
  const get = (name: string) => {
    const v = query.get(name);
    if (v !== null && !TEXT.test(v)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${name}: must be 1-256 characters of letters, digits and . _ : @ / # -` });
    return v;
  };
  const [policy, deployment, principal, tool] = ['policy', 'deployment', 'principal', 'tool'].map(get);
  if (policy === null) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'policy: required (the tool policy whose pins to clear).' });
  if ((principal !== null && deployment === null) || (tool !== null && principal === null)) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'principal needs deployment, and tool needs principal (pins are kept per deployment and principal).' });
  }
  const enc = encodeURIComponent;
  let prefix = `tool-pin/${enc(policy)}/`;
  if (deployment !== null) prefix += enc(`${deployment}:`);
  if (principal !== null) prefix += `${enc(principal)}/`;
  // One tool's pin is one key: `search` must not also clear `search_web`.
  if (tool !== null) return { prefix: prefix + enc(tool), exact: true };
  return { prefix, exact: false };
}

export function toolPinRoutes(repo: PinRepo, forget: (prefix: string, exact: boolean) => void): AdminRoute[] {
  return [
    {
      method: 'DELETE',
      path: '/admin/v1/tool-pins',
      action: 'tool_pins.clear',
      permission: 'tools:write',
      handle: async ({ query, note }) => {
        const { prefix, exact } = pinPrefix(query);
        const cleared = await repo.clear(prefix, exact);
        forget(prefix, exact);
        note({ [exact ? 'key' : 'prefix']: prefix, cleared });
        return { status: 200, body: { cleared } };
      },
    },
  ];
}
