/**
 * Assembles the conditional-access check of one request from the config: the rules
 * (policy/conditional-access.ts), the client address (client-ip.ts), the country a trusted proxy
 * reports, the clock and the principal's risk (policy/risk-tracker.ts). Undefined when no rule is
 * configured, so the planes skip the step entirely.
 *
 * Country: from a geo-IP aware proxy in front (Cloudflare `cf-ipcountry`, nginx geoip2, an Envoy
 * filter) in the header `access.countryHeader`, believed only from `server.trustedProxies`; else
 * from the operator's MaxMind database (`access.countryDatabase`, policy/geoip.ts) for the client
 * address.
 */
import type { IncomingMessage } from 'node:http';
import type { RampartConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { ConditionalAccess, type AccessCheck } from '../policy/conditional-access.ts';
import type { RiskTracker } from '../policy/risk-tracker.ts';
import type { CountryLookup } from '../policy/geoip.ts';
import { trustedHeaderReader } from './client-ip.ts';

export function buildAccessCheck(
  config: Pick<RampartConfig, 'access' | 'deployments' | 'server'>,
  deps: { clock: Clock; risk: RiskTracker; sourceIp(req: IncomingMessage): string | null; countries?: CountryLookup | null },
): AccessCheck | undefined {
  const rules = new ConditionalAccess(config.access.rules, { deployments: config.deployments });
  if (rules.size === 0) return undefined;
  const header = config.access.countryHeader;
  const rawCountry = header ? trustedHeaderReader(config.server.trustedProxies, header) : () => null;
  const db = deps.countries ?? null;
  const country = (req: IncomingMessage, ip: string | null) => {
    const c = rawCountry(req)?.toUpperCase();
    if (c && /^[A-Z]{2}$/.test(c) && c !== 'XX') return c; // XX, T1 and the like mean unknown
    return db !== null && ip !== null ? db.lookup(ip) : null;
  };
  return (principal, action, req) => {
    const now = deps.clock.now();
    const ip = deps.sourceIp(req);
    return rules.evaluate({ principal, action, sourceIp: ip, country: country(req, ip), now, risk: deps.risk.level(principal.id, now) });
  };
}
