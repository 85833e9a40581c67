/**
 * /admin/v1/models: the model registry. Register a model by path (a job: hash, verify, scan), list
 * and read registrations with their signature, scan and approval, approve or reject them; every
 * change is audited like any admin call. `GET /admin/v1/deployments` shows each gated deployment's
 * standing (deployments-routes.ts).
 */
import { RampartError } from '../core/errors.ts';
import { MODEL_NAME } from '../config/models.ts';
import type { RegisterJobs } from '../models/register-jobs.ts';
import { registerModelSchema, type ModelRegistry } from '../models/registry.ts';
import { pageParams, type AdminRoute } from './admin-api.ts';
import { z } from 'zod';

const decision = z.strictObject({ note: z.string().max(1024).optional() });

export function modelRoutes(registry: ModelRegistry, jobs: RegisterJobs): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/models',
      action: 'models.list',
      permission: 'models:read',
      handle: async ({ query }) => {
        const name = query.get('name') ?? undefined;
        if (name !== undefined && !MODEL_NAME.test(name)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'name: not a model name', param: 'name' });
        const page = await registry.list({ ...(name ? { name } : {}), ...pageParams(query) });
        return { status: 200, body: { data: page.items, nextCursor: page.nextCursor } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/models',
      action: 'models.register',
      permission: 'models:write',
      handle: async (call) => {
        const input = await call.body(registerModelSchema);
        const job = await jobs.start(input, call.principal.id);
        call.note({ jobId: job.id, model: input.name });
        return { status: 202, body: job };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/models/jobs/:id',
      action: 'models.job',
      permission: 'models:write',
      handle: async ({ params }) => ({ status: 200, body: jobs.get(params.id ?? '') }),
    },
    {
      method: 'GET',
      path: '/admin/v1/models/:id',
      action: 'models.get',
      permission: 'models:read',
      handle: async ({ params }) => ({ status: 200, body: await registry.get(params.id ?? '') }),
    },
    {
      method: 'POST',
      path: '/admin/v1/models/:id/approve',
      action: 'models.approve',
      permission: 'models:approve',
      handle: async (call) => {
        const rec = await registry.approve(call.params.id ?? '', call.principal.id, await call.body(decision));
        call.note({ modelId: rec.id, model: rec.name, digest: rec.digest });
        return { status: 200, body: rec };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/models/:id/reject',
      action: 'models.reject',
      permission: 'models:approve',
      handle: async (call) => {
        const rec = await registry.reject(call.params.id ?? '', call.principal.id, await call.body(decision));
        call.note({ modelId: rec.id, model: rec.name, digest: rec.digest });
        return { status: 200, body: rec };
      },
    },
  ];
}
