/**
 * The `sandbox` section of rampart.yaml (issue 7, the execution plane): which backend isolates
 * code, which languages run, the limits of an execution, sessions and their pool, and per-caller
 * policies (approved code only, network, limits). Secure by default: no network, every limit set,
 * unapproved code flagged (`audit`), a handful of sessions per caller.
 */
import { z } from 'zod';
import { parseHostPattern, type HostPattern } from './host-pattern.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const SANDBOX_LANGUAGES = ['python', 'javascript', 'shell'] as const;
export const APPROVAL_MODES = ['enforce', 'audit', 'off'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** The bounds of every limit, whatever the config says (a typo cannot give a sandbox 1 TB). */
const limitBounds = {
  timeoutMs: z.int().min(100).max(600_000).describe('Wall-clock time of one execution, ms; the process tree is killed when it runs out.'),
  memoryBytes: z.int().min(16 * MiB).max(16 * GiB).describe('Memory of the session\'s processes together, bytes.'),
  cpus: z.number().min(0.05).max(64).describe('CPU share in cores (0.5 = half a core).'),
  pids: z.int().min(4).max(4096).describe('Processes and threads at once.'),
  diskBytes: z.int().min(MiB).max(16 * GiB).describe('Size of the session\'s file space, bytes.'),
  fileBytes: z.int().min(KiB).max(16 * GiB).describe('Largest file one process may write, bytes.'),
  openFiles: z.int().min(16).max(65_536).describe('Open files per process.'),
  outputBytes: z.int().min(KiB).max(64 * MiB).describe('stdout and stderr are each cut at this many bytes.'),
};

export const DEFAULT_SANDBOX_LIMITS = {
  timeoutMs: 10_000,
  memoryBytes: 256 * MiB,
  cpus: 1,
  pids: 64,
  diskBytes: 64 * MiB,
  fileBytes: 16 * MiB,
  openFiles: 64,
  outputBytes: MiB,
} as const;

export const sandboxLimitsSchema = z
  .strictObject({
    timeoutMs: limitBounds.timeoutMs.default(DEFAULT_SANDBOX_LIMITS.timeoutMs),
    memoryBytes: limitBounds.memoryBytes.default(DEFAULT_SANDBOX_LIMITS.memoryBytes),
    cpus: limitBounds.cpus.default(DEFAULT_SANDBOX_LIMITS.cpus),
    pids: limitBounds.pids.default(DEFAULT_SANDBOX_LIMITS.pids),
    diskBytes: limitBounds.diskBytes.default(DEFAULT_SANDBOX_LIMITS.diskBytes),
    fileBytes: limitBounds.fileBytes.default(DEFAULT_SANDBOX_LIMITS.fileBytes),
    openFiles: limitBounds.openFiles.default(DEFAULT_SANDBOX_LIMITS.openFiles),
    outputBytes: limitBounds.outputBytes.default(DEFAULT_SANDBOX_LIMITS.outputBytes),
  })
  .describe('Limits of an execution: applied when a request names none, and the most a request may ask for.');

/** Some limits: a caller policy's override, or what one request asks for. */
export const partialSandboxLimitsSchema = z.strictObject({
  timeoutMs: limitBounds.timeoutMs.optional(),
  memoryBytes: limitBounds.memoryBytes.optional(),
  cpus: limitBounds.cpus.optional(),
  pids: limitBounds.pids.optional(),
  diskBytes: limitBounds.diskBytes.optional(),
  fileBytes: limitBounds.fileBytes.optional(),
  openFiles: limitBounds.openFiles.optional(),
  outputBytes: limitBounds.outputBytes.optional(),
});

export type SandboxLimitsConfig = z.output<typeof sandboxLimitsSchema>;
export type PartialSandboxLimits = z.output<typeof partialSandboxLimitsSchema>;

/** A decimal port 1–65535, no sign, no leading zero. */
function parsePort(text: string): number | null {
  if (!/^[1-9][0-9]{0,4}$/.test(text)) return null;
  const port = Number(text);
  return port <= 65_535 ? port : null;
}

/**
 * Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6, for `allowHosts` here and for the
 * egress proxy's request targets (sandbox/egress/target.ts), so both read an entry alike. Null when
 * malformed (`[::1`, `[::1]x`); `port` is undefined when absent and null when present but not a port.
 */
export function splitHostPort(text: string): { host: string; port: number | null | undefined } | null {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return null;
    const rest = text.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    return { host: text.slice(1, end), port: rest === '' ? undefined : parsePort(rest.slice(1)) };
  }
  const colons = text.split(':').length - 1;
  if (colons !== 1) return { host: text, port: undefined };
  const [host, port] = text.split(':') as [string, string];
  return { host, port: parsePort(port) };
}

/**
 * One egress allow-list entry: a host pattern (host-pattern.ts) and its port, null for 80 and 443.
 * Throws a plain Error with the reason when malformed. The config check and the egress proxy both
 * use it, so an entry the config accepts is one the proxy accepts.
 */
export function parseAllowHost(entry: string): { pattern: HostPattern; port: number | null } {
  const text = entry.trim();
  if (text === '') throw new Error('must be a non-empty string');
  const split = splitHostPort(text);
  if (split === null || split.port === null) throw new Error('has a malformed port (use host:1-65535)');
  return { pattern: parseHostPattern(split.host), port: split.port ?? null };
}

/**
 * A host the egress proxy may let a sandbox reach: `api.example.com` or `*.example.com` (ports 80
 * and 443), or with one port, `api.example.com:8443`; never `*`. Passed to the proxy as written
 * (it canonicalizes hosts itself); checked here so a typo fails at start-up.
 */
const allowHost = z
  .string()
  .min(1)
  .max(270)
  .transform((p) => p.trim())
  .superRefine((p, ctx) => {
    try {
      if (parseAllowHost(p).pattern.kind === 'any') ctx.addIssue({ code: 'custom', message: '"*" would open every host: list the hosts' });
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });

const ID = z.string().min(1).max(512);

export const sandboxCallerSchema = z
  .strictObject({
    match: z
      .strictObject({
        principalIds: z.array(ID).max(1024).optional().describe('Principal ids (key:<id>, oidc:<issuer>#<subject>, ...).'),
        agentIds: z.array(ID).max(1024).optional().describe('Agent inventory ids.'),
        roles: z.array(z.string().min(1).max(64)).max(256).optional().describe('Any of these roles.'),
      })
      .refine((m) => (m.principalIds?.length ?? 0) + (m.agentIds?.length ?? 0) + (m.roles?.length ?? 0) > 0, 'name at least one principal id, agent id or role')
      .describe('Who this policy is for: a caller matches when any listed id or role is theirs.'),
    approvedCodeOnly: z
      .enum(APPROVAL_MODES)
      .default('audit')
      .describe('enforce: only code whose SHA-256 is approved runs; audit: anything runs, unapproved code is flagged; off: not checked.'),
    network: z
      .union([z.literal('none'), z.strictObject({ allowHosts: z.array(allowHost).min(1).max(256).describe('Hosts reachable through the egress proxy: api.example.com, *.example.com (ports 80 and 443), api.example.com:8443.') })])
      .default('none')
      .describe('Network of this caller\'s executions: none, or these hosts through the egress proxy.'),
    limits: partialSandboxLimitsSchema.optional().describe('Replaces these limits of sandbox.limits for this caller (defaults and ceiling).'),
  })
  .describe('A per-caller sandbox policy; the first that matches applies.');

export type SandboxCallerConfig = z.output<typeof sandboxCallerSchema>;

export const sandboxConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve /sandbox/v1. When the backend cannot isolate code here, calls answer RAMPART_SANDBOX_UNAVAILABLE.'),
    backend: z.enum(['bwrap']).default('bwrap').describe('How code is isolated: bwrap (bubblewrap, namespaces, seccomp, cgroups on this machine).'),
    bwrap: z
      .strictObject({
        uid: z.int().min(1).max(2 ** 32 - 2).optional().describe('Host user sandboxed code runs as (default 65534, nobody); one nothing else uses is better.'),
        gid: z.int().min(1).max(2 ** 32 - 2).optional(),
        tmpDir: z.string().startsWith('/').optional().describe('Where the backend keeps its private directory (default: the system temporary directory).'),
        cgroupParent: z.string().startsWith('/').optional().describe('A cgroup below which Rampart\'s goes (default: Rampart\'s own).'),
        pythonPath: z.string().startsWith('/').optional().describe('The Python to run, under /usr (default /usr/bin/python3).'),
        nodePath: z.string().startsWith('/').optional().describe('The Node.js binary for JavaScript (default: the one running Rampart).'),
      })
      .prefault({})
      .describe('Options of the bubblewrap backend (docs/sandbox.md).'),
    languages: z
      .array(z.enum(SANDBOX_LANGUAGES))
      .min(1)
      .default([...SANDBOX_LANGUAGES])
      .describe('Languages that may run.'),
    limits: sandboxLimitsSchema.prefault({}),
    sessions: z
      .strictObject({
        idleTimeoutSeconds: z.int().min(5).max(86_400).default(300).describe('A session unused this long is destroyed with everything in it.'),
        maxPerTenant: z.int().min(1).max(1_000).default(10).describe('Concurrent sessions of one caller (principal); more answer RAMPART_SANDBOX_SESSION_LIMIT.'),
        maxTotal: z.int().min(1).max(100_000).default(100).describe('Concurrent sessions of all callers together.'),
        pool: z.int().min(0).max(64).default(2).describe('Environments kept started per limits profile, so a new session starts without waiting.'),
      })
      .prefault({})
      .describe('Sessions: a caller-chosen identifier maps to one isolated environment.'),
    files: z
      .strictObject({
        maxUploadBytes: z.int().min(KiB).max(GiB).default(8 * MiB).describe('Largest file uploaded into a session (the JSON body limit of the API applies too).'),
        maxDownloadBytes: z.int().min(KiB).max(GiB).default(8 * MiB).describe('Largest file read back from a session.'),
      })
      .prefault({})
      .describe('Files in a session.'),
    abuse: z
      .strictObject({
        kills: z.int().min(2).max(1_000).default(3).describe('Executions of one caller killed by a limit within the window that raise sandbox.limit_abuse.'),
        windowSeconds: z.int().min(10).max(86_400).default(600),
      })
      .prefault({})
      .describe('When repeated limit kills raise a detection.'),
    approvals: z
      .strictObject({
        selfApproval: z.boolean().default(false).describe('Let code run for the principal who approved it (four eyes by default: it does not).'),
      })
      .prefault({})
      .describe('The code approval registry.'),
    callers: z.array(sandboxCallerSchema).max(256).default([]).describe('Per-caller policies, first match wins. Default: approvedCodeOnly audit, network none, sandbox.limits.'),
  })
  .superRefine((s, ctx) => {
    s.callers.forEach((c, i) => {
      const limits = { ...s.limits, ...c.limits };
      if (limits.fileBytes > limits.diskBytes) ctx.addIssue({ code: 'custom', path: ['callers', i, 'limits', 'fileBytes'], message: 'larger than diskBytes' });
    });
    if (s.limits.fileBytes > s.limits.diskBytes) ctx.addIssue({ code: 'custom', path: ['limits', 'fileBytes'], message: 'larger than diskBytes' });
    if (s.sessions.maxPerTenant > s.sessions.maxTotal) ctx.addIssue({ code: 'custom', path: ['sessions', 'maxPerTenant'], message: 'larger than maxTotal' });
  })
  .describe('Code execution (/sandbox/v1): isolated sessions, limits, approved code, per-caller policies.');

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
