/**
 * /admin/v1/deployments: what each deployment routes to. Provider credentials never appear: a
 * target is shown by provider, label, upstream origin, model and routing weights only.
 */
import { RampartError } from '../core/errors.ts';
import type { DeploymentConfig } from '../config/schema.ts';
import type { AdminRoute } from './admin-api.ts';

export interface TargetView {
  provider: string;
  label: string;
  origin: string | null;
  model: string | null;
  priority: number;
  weight: number;
  timeoutMs: number;
}

/** Only allow-listed, non-secret fields of a target are shown. */
export function targetView(target: DeploymentConfig['targets'][number], label: string): TargetView {
  const t = target as unknown as Record<string, unknown>;
  const url = (typeof t.baseUrl === 'string' ? t.baseUrl : typeof t.endpoint === 'string' ? t.endpoint : null) as string | null;
  let origin: string | null = null;
  if (url) {
    try {
      origin = new URL(url).origin;
    } catch {
      origin = null;
    }
  }
  const model = typeof t.model === 'string' ? t.model : typeof t.deployment === 'string' ? t.deployment : null;
  return { provider: target.provider, label, origin, model, priority: target.priority, weight: target.weight, timeoutMs: target.timeoutMs };
}

export function deploymentView(d: DeploymentConfig) {
  return {
    name: d.name,
    description: d.description ?? null,
    limits: d.limits ?? null,
    retry: d.retry,
    targets: d.targets.map((t, i) => targetView(t, `${t.provider}:${d.name}#${i}`)),
  };
}

export function deploymentRoutes(deployments: readonly DeploymentConfig[]): AdminRoute[] {
  const byName = new Map(deployments.map((d) => [d.name, d]));
  return [
    {
      method: 'GET',
      path: '/admin/v1/deployments',
      action: 'deployments.list',
      permission: 'deployments:read',
      handle: async () => ({ status: 200, body: { data: deployments.map(deploymentView) } }),
    },
    {
      method: 'GET',
      path: '/admin/v1/deployments/:name',
      action: 'deployments.get',
      permission: 'deployments:read',
      handle: async ({ params }) => {
        const d = byName.get(params.name ?? '');
        if (!d) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such deployment.' });
        return { status: 200, body: deploymentView(d) };
      },
    },
  ];
}
