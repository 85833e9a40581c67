/**
 * Microsoft Entra ID specifics that the claim mapper needs, kept in one place.
 *
 * - Agent ID: tokens issued to an agent identity carry facet claims. Microsoft's published sample
 *   of an agent acting autonomously has `xms_act_fct: "3 9 11"`, `xms_sub_fct: "9 3 11"` and
 *   `xms_par_app_azp` (the agent identity blueprint); facet 11 marks the agent identity. The actor
 *   facet (`xms_act_fct`) says who performs the call, so it decides; `xms_par_app_azp` alone also
 *   marks an agent. Deployments can list agent client ids explicitly (`agentClientIds`) as well.
 * - `appidacr` (v1) / `azpacr` (v2): how the client authenticated — 0 public client, 1 client
 *   secret, 2 certificate or signed assertion (private_key_jwt, federated credential).
 */
import type { ClientAuthMethod } from '../core/principal.ts';
import type { Claims } from './claim-read.ts';

const AGENT_IDENTITY_FACET = '11';

function facets(v: unknown): string[] {
  return typeof v === 'string' && v.length <= 256 ? v.split(' ') : [];
}

/** True when the token was issued to an Entra Agent ID agent identity. */
export function isEntraAgentToken(claims: Claims): boolean {
  if (facets(claims.xms_act_fct).includes(AGENT_IDENTITY_FACET)) return true;
  const parent = claims.xms_par_app_azp;
  return typeof parent === 'string' && parent.length > 0;
}

const CLIENT_AUTH: Readonly<Record<string, ClientAuthMethod>> = { '0': 'none', '1': 'secret', '2': 'private-key' };

/** The client authentication method recorded in an Entra token, if any. */
export function entraClientAuth(claims: Claims): ClientAuthMethod | undefined {
  const v = claims.azpacr ?? claims.appidacr;
  return typeof v === 'string' && Object.hasOwn(CLIENT_AUTH, v) ? CLIENT_AUTH[v] : undefined;
}
