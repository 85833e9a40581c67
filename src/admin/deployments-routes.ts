/**
 * /admin/v1/deployments: what each deployment routes to. Provider credentials never appear: a
 * target is shown by provider, label, upstream origin, model and routing weights only.
 */
import { RampartError } from '../core/errors.ts';
import type { DeploymentConfig } from '../config/schema.ts';
import type { AdminRoute } from './admin-api.ts';
import type { GateStatus } from '../models/deploy-gate.ts';

/** What the deployment views need of the deploy gate. */
export interface GateReader {
  status(deployment: string): Promise<GateStatus | null>;
}

/** A gated deployment's model: which one, what it must pass, whether it is served and why not. */
async function modelView(gate: GateReader | undefined, name: string) {
  const s = gate ? await gate.status(name) : null;
  if (s === null) return null;
  return { name: s.model.name, digest: s.model.digest ?? null, require: s.model.require, served: s.allowed, missing: s.missing, record: s.record };
}

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

export function deploymentRoutes(deployments: readonly DeploymentConfig[], gate?: GateReader): AdminRoute[] {
  const byName = new Map(deployments.map((d) => [d.name, d]));
  return [
    {
      method: 'GET',
      path: '/admin/v1/deployments',
      action: 'deployments.list',
      permission: 'deployments:read',
      handle: async () => ({ status: 200, body: { data: await Promise.all(deployments.map(async (d) => ({ ...deploymentView(d), model: await modelView(gate, d.name) }))) } }),
    },
    {
      method: 'GET',
      path: '/admin/v1/deployments/:name',
      action: 'deployments.get',
      permission: 'deployments:read',
      handle: async ({ params }) => {
        const d = byName.get(params.name ?? '');
        if (!d) throw new RampartError('RAMPART_NOT_FOUND', { detail: 'No such deployment.' });
        return { status: 200, body: { ...deploymentView(d), model: await modelView(gate, d.name) } };
      },
    },
  ];
}
