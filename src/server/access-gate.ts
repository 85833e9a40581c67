/**
 * Assembles the conditional-access check of one request from the config: the rules
 * (policy/conditional-access.ts), the client address (client-ip.ts), the country a trusted proxy
 * reports, the clock and the principal's risk (policy/risk-tracker.ts). Undefined when no rule is
 * configured, so the planes skip the step entirely.
 *
 * Country: reading a MaxMind .mmdb database would need a dependency Rampart does not ship; a geo-IP
 * aware proxy in front (Cloudflare `cf-ipcountry`, nginx geoip2, an Envoy filter) sets a header
 * instead, named by `access.countryHeader` and believed only from `server.trustedProxies`.
 */
import type { IncomingMessage } from 'node:http';
import type { RampartConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { ConditionalAccess, type AccessCheck } from '../policy/conditional-access.ts';
import type { RiskTracker } from '../policy/risk-tracker.ts';
import { trustedHeaderReader } from './client-ip.ts';

export function buildAccessCheck(
  config: Pick<RampartConfig, 'access' | 'deployments' | 'server'>,
  deps: { clock: Clock; risk: RiskTracker; sourceIp(req: IncomingMessage): string | null },
): AccessCheck | undefined {
  const rules = new ConditionalAccess(config.access.rules, { deployments: config.deployments });
  if (rules.size === 0) return undefined;
  const header = config.access.countryHeader;
  const rawCountry = header ? trustedHeaderReader(config.server.trustedProxies, header) : () => null;
  const country = (req: IncomingMessage) => {
    const c = rawCountry(req)?.toUpperCase();
    return c && /^[A-Z]{2}$/.test(c) && c !== 'XX' ? c : null; // XX, T1 and the like mean unknown
  };
  return (principal, action, req) => {
    const now = deps.clock.now();
    return rules.evaluate({ principal, action, sourceIp: deps.sourceIp(req), country: country(req), now, risk: deps.risk.level(principal.id, now) });
  };
}
