/**
 * The authorization seam. Routes ask a `PolicyEngine` for a `Decision` and never look at roles
 * themselves, so a full policy language (Cedar, a later issue) can replace the role engine without
 * touching a route.
 */
import type { Decision } from '../core/decision.ts';
import type { Principal } from '../core/principal.ts';
import type { AdminPermission } from '../config/schema.ts';

export type Action =
  | { readonly kind: 'invoke'; readonly deployment: string }
  | { readonly kind: 'admin'; readonly permission: AdminPermission };

export interface PolicyEngine {
  authorize(principal: Principal, action: Action): Decision;
}

export function describeAction(action: Action): string {
  return action.kind === 'invoke' ? `invoke deployment '${action.deployment}'` : `admin ${action.permission}`;
}
