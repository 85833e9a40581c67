/**
 * /sandbox/v1: code execution sessions, shaped like Azure Container Apps dynamic sessions so their
 * clients feel at home (`?identifier=<session>`, `{ properties: { ... } }`), and
 * /admin/v1/sandbox: the code approval registry. Every call goes through the admin pipeline
 * (authenticate, `sandbox:*` permission, conditional access, one audit event with the execution
 * record in its details). A session belongs to the caller: the same identifier named by another
 * principal is another session.
 */
import { z } from 'zod';
import { RampartError } from '../core/errors.ts';
import { partialSandboxLimitsSchema } from '../config/sandbox.ts';
import type { ExecResult, SandboxFile } from '../sandbox/backend.ts';
import type { ExecutionRecord } from '../sandbox/executions.ts';
import { decodeBase64 } from '../sandbox/files.ts';
import type { SandboxService } from '../sandbox/index.ts';
import { assertSessionIdentifier } from '../sandbox/sessions.ts';
import { parseInput } from '../config/load.ts';
import { pageParams, type AdminCall, type AdminRoute } from './admin-api.ts';

const language = z.string().min(1).max(32).transform((l) => l.toLowerCase());

/** Azure Container Apps dynamic sessions' request body (code interpreter, inline, synchronous). */
const azureBody = z.strictObject({
  properties: z.strictObject({
    codeInputType: z.literal('inline').default('inline'),
    executionType: z.literal('synchronous').default('synchronous'),
    code: z.string(),
    language: language.default('python'),
    timeoutInSeconds: z.int().min(1).max(600).optional(),
    limits: partialSandboxLimitsSchema.optional(),
  }),
});

const simpleBody = z.strictObject({ language, code: z.string(), limits: partialSandboxLimitsSchema.optional() });
const uploadBody = z.strictObject({ path: z.string().max(1024), contentBase64: z.string() });
const anyObject = z.record(z.string(), z.unknown());

function identifierOf(call: AdminCall): string {
  const id = call.query.get('identifier');
  if (id === null) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'identifier: the session identifier query parameter is required', param: 'identifier' });
  assertSessionIdentifier(id, 'identifier');
  return id;
}

/** The file path of a `/files/.../*` route (find-my-way's wildcard parameter, already decoded). */
function pathParam(call: AdminCall): string {
  return call.params['*'] ?? '';
}

/** A file as Azure lists it. */
function fileProps(f: SandboxFile) {
  return { properties: { filename: f.path, size: f.bytes, lastModifiedTime: new Date(f.modifiedAt).toISOString() } };
}

function executionBody(identifier: string, result: ExecResult, record: ExecutionRecord) {
  return {
    identifier,
    properties: {
      status: record.outcome === 'succeeded' ? 'Succeeded' : 'Failed',
      stdout: result.stdout,
      stderr: result.stderr,
      // Azure's code interpreter returns the value of the last expression here; a program run here has none.
      result: null,
      exitCode: result.exitCode,
      signal: result.signal,
      killedBy: result.killedBy,
      executionTimeInMilliseconds: result.durationMs,
      cpuTimeInMilliseconds: result.cpuMs,
      peakMemoryBytes: result.peakMemoryBytes,
      stdoutBytes: result.stdoutBytes,
      stderrBytes: result.stderrBytes,
      truncated: result.truncated,
      language: record.language,
      codeSha256: record.codeSha256,
      approval: record.approval,
      limits: record.limits,
      filesTouched: record.filesTouched,
      network: result.network,
      networkDropped: result.networkDropped,
    },
  };
}

/** The session routes (permission `sandbox:execute`). */
export function sandboxRoutes(sandbox: SandboxService): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/sandbox/v1/code/execute',
      action: 'sandbox.execute',
      permission: 'sandbox:execute',
      handle: async (call) => {
        const identifier = identifierOf(call);
        const raw = await call.body(anyObject);
        let input: { language: string; code: string; limits?: z.output<typeof partialSandboxLimitsSchema> | undefined };
        if ('properties' in raw) {
          const p = parseInput(azureBody, raw).properties;
          if (p.timeoutInSeconds !== undefined && p.limits?.timeoutMs !== undefined) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'properties: send timeoutInSeconds or limits.timeoutMs, not both' });
          const limits = p.timeoutInSeconds !== undefined ? { ...p.limits, timeoutMs: p.timeoutInSeconds * 1000 } : p.limits;
          input = { language: p.language, code: p.code, limits };
        } else {
          input = parseInput(simpleBody, raw);
        }
        const { result, record } = await sandbox.executions.execute(call.principal, identifier, input, { requestId: call.requestId, note: call.note });
        return { status: 200, body: executionBody(identifier, result, record) };
      },
    },
    {
      method: 'GET',
      path: '/sandbox/v1/files',
      action: 'sandbox.files.list',
      permission: 'sandbox:execute',
      handle: async (call) => {
        const identifier = identifierOf(call);
        call.note({ sandbox: { session: identifier } });
        const files = await sandbox.files.list(call.principal, identifier);
        return { status: 200, body: { value: files.map(fileProps) } };
      },
    },
    {
      method: 'POST',
      path: '/sandbox/v1/files/upload',
      action: 'sandbox.files.upload',
      permission: 'sandbox:execute',
      handle: async (call) => {
        const identifier = identifierOf(call);
        const body = await call.body(uploadBody);
        const data = decodeBase64(body.contentBase64);
        call.note({ sandbox: { session: identifier, path: body.path, bytes: data.length } });
        const file = await sandbox.files.upload(call.principal, identifier, body.path, data);
        return { status: 201, body: { value: [fileProps(file)] } };
      },
    },
    {
      method: 'GET',
      path: '/sandbox/v1/files/content/*',
      action: 'sandbox.files.read',
      permission: 'sandbox:execute',
      handle: async (call) => {
        const identifier = identifierOf(call);
        const path = pathParam(call);
        call.note({ sandbox: { session: identifier, path } });
        const data = await sandbox.files.download(call.principal, identifier, path);
        return { status: 200, body: { filename: path, size: data.length, contentBase64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') } };
      },
    },
    {
      method: 'DELETE',
      path: '/sandbox/v1/files/*',
      action: 'sandbox.files.delete',
      permission: 'sandbox:execute',
      handle: async (call) => {
        const identifier = identifierOf(call);
        const path = pathParam(call);
        call.note({ sandbox: { session: identifier, path } });
        await sandbox.files.delete(call.principal, identifier, path);
        return { status: 204, body: null };
      },
    },
    {
      method: 'GET',
      path: '/sandbox/v1/sessions',
      action: 'sandbox.sessions.list',
      permission: 'sandbox:execute',
      handle: async (call) => ({ status: 200, body: { data: sandbox.sessions.list(call.principal.id) } }),
    },
    {
      method: 'DELETE',
      path: '/sandbox/v1/sessions/:identifier',
      action: 'sandbox.sessions.end',
      permission: 'sandbox:execute',
      handle: async (call) => {
        const identifier = call.params.identifier ?? '';
        assertSessionIdentifier(identifier, 'identifier');
        call.note({ sandbox: { session: identifier } });
        if (!(await sandbox.sessions.end(call.principal.id, identifier))) throw new RampartError('RAMPART_NOT_FOUND', { detail: `No sandbox session '${identifier}'.` });
        return { status: 204, body: null };
      },
    },
  ];
}

const revokeBody = z.strictObject({});

/** The approval registry and the plane's status (permissions `sandbox:read`, `sandbox:approve`). */
export function sandboxAdminRoutes(sandbox: SandboxService): AdminRoute[] {
  const sha = (call: AdminCall) => call.params.sha256 ?? '';
  return [
    {
      method: 'GET',
      path: '/admin/v1/sandbox/approvals',
      action: 'sandbox.approvals.list',
      permission: 'sandbox:read',
      handle: async ({ query }) => {
        const page = await sandbox.approvals.list({ includeRevoked: query.get('includeRevoked') === 'true', ...pageParams(query) });
        return { status: 200, body: { data: page.items, nextCursor: page.nextCursor } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/sandbox/approvals',
      action: 'sandbox.approvals.approve',
      permission: 'sandbox:approve',
      handle: async (call) => {
        // The registry validates the body (approveSchema), for this route and the CLI alike.
        const rec = await sandbox.approvals.approve(await call.body(anyObject), call.principal.id);
        call.note({ sandbox: { codeSha256: rec.sha256, language: rec.language, revisionUrl: rec.revisionUrl } });
        return { status: 201, body: rec };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/sandbox/approvals/:sha256',
      action: 'sandbox.approvals.get',
      permission: 'sandbox:read',
      handle: async (call) => ({ status: 200, body: await sandbox.approvals.get(sha(call)) }),
    },
    {
      method: 'POST',
      path: '/admin/v1/sandbox/approvals/:sha256/revoke',
      action: 'sandbox.approvals.revoke',
      permission: 'sandbox:approve',
      handle: async (call) => {
        await call.body(revokeBody);
        const rec = await sandbox.approvals.revoke(sha(call), call.principal.id);
        call.note({ sandbox: { codeSha256: rec.sha256 } });
        return { status: 200, body: rec };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/sandbox/status',
      action: 'sandbox.status',
      permission: 'sandbox:read',
      handle: async () => ({
        status: 200,
        body: { enabled: sandbox.config.enabled, backend: await sandbox.status(), pool: sandbox.pool.stats(), sessions: sandbox.sessions.size, languages: sandbox.config.languages },
      }),
    },
  ];
}
