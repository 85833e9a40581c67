/**
 * Can this machine isolate code the way the bwrap backend does? The static part: platform,
 * architecture, root, the tools, bwrap's version, user namespaces and seccomp in the kernel. Each
 * failure is one precise sentence for start-up logs and /readyz. The final word is a real run of a
 * trivial program through the whole chain (index.ts), since only that shows that everything the
 * kernel, the distribution and any LSM allow actually fits together.
 */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { HostToolPaths } from './args.ts';
import { runHostCommand } from './host-command.ts';
import { hostSeccompArch, type SeccompArch } from './seccomp.ts';
import type { HostTools } from './session-space.ts';

export interface HostFacts {
  readonly tools: HostToolPaths & HostTools;
  readonly bwrapVersion: string;
  readonly arch: SeccompArch;
}

export type ProbeOutcome = { readonly ok: true; readonly facts: HostFacts } | { readonly ok: false; readonly reason: string };

/** --disable-userns, and --size / --perms for tmpfs, arrived in bubblewrap 0.8.0. */
const MIN_BWRAP: readonly [number, number, number] = [0, 8, 0];

async function executable(candidates: readonly string[]): Promise<string | null> {
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // Next candidate.
    }
  }
  return null;
}

async function readSysctl(path: string): Promise<string | null> {
  return readFile(path, 'utf8').then(
    (t) => t.trim(),
    () => null,
  );
}

export function parseBwrapVersion(text: string): [number, number, number] | null {
  const m = /bubblewrap\s+([0-9]+)\.([0-9]+)(?:\.([0-9]+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

const atLeast = (v: readonly number[], min: readonly number[]): boolean => {
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  return true;
};

/** Why user namespaces cannot be created by an unprivileged user here, or null when nothing says so. */
export async function userNamespaceObstacle(): Promise<string | null> {
  const max = await readSysctl('/proc/sys/user/max_user_namespaces');
  if (max === '0') return 'user namespaces are disabled (user.max_user_namespaces = 0)';
  if ((await readSysctl('/proc/sys/kernel/unprivileged_userns_clone')) === '0') return 'unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)';
  if (!(await access('/proc/self/ns/user').then(() => true, () => false))) return 'the kernel has no user namespaces (CONFIG_USER_NS)';
  return null;
}

/** A hint for a failed trivial run: an LSM that restricts unprivileged user namespaces. */
export async function userNamespaceHint(): Promise<string> {
  if ((await readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns')) === '1') {
    return ' (AppArmor restricts unprivileged user namespaces here: kernel.apparmor_restrict_unprivileged_userns = 1; give bwrap a profile that allows userns)';
  }
  return '';
}

export async function probeHost(opts: { readonly bwrapPath: string }): Promise<ProbeOutcome> {
  const no = (reason: string): ProbeOutcome => ({ ok: false, reason });
  if (process.platform !== 'linux') return no(`the bwrap backend needs Linux (this is ${process.platform})`);
  const arch = hostSeccompArch();
  if (arch === null || endianness() !== 'LE') return no(`the seccomp filter supports x86_64 and aarch64 only (this is ${process.arch})`);
  if (process.getuid?.() !== 0) {
    return no('Rampart is not running as root: the bwrap backend mounts a tmpfs per session and manages cgroups (sandboxed code itself never runs as root)');
  }
  const found = {
    bwrap: await executable([opts.bwrapPath]),
    prlimit: await executable(['/usr/bin/prlimit', '/bin/prlimit']),
    setpriv: await executable(['/usr/bin/setpriv', '/bin/setpriv']),
    mount: await executable(['/usr/bin/mount', '/bin/mount']),
    umount: await executable(['/usr/bin/umount', '/bin/umount']),
    bash: await executable(['/usr/bin/bash', '/bin/bash']),
  };
  if (found.bwrap === null) return no('bubblewrap is not installed, or not where bwrapPath says (Debian/Ubuntu: apt-get install bubblewrap)');
  const missing = Object.entries(found)
    .filter(([, v]) => v === null)
    .map(([k]) => k);
  if (missing.length > 0) return no(`missing host tools: ${missing.join(', ')} (util-linux and bash provide them)`);
  const v = await runHostCommand(found.bwrap, ['--version']);
  const version = parseBwrapVersion(v.stdout);
  if (!v.ok || version === null) return no('bwrap --version did not answer with a bubblewrap version');
  if (!atLeast(version, MIN_BWRAP)) return no(`bubblewrap ${version.join('.')} is too old: ${MIN_BWRAP.join('.')} or later is needed (--disable-userns, tmpfs --size)`);
  const userns = await userNamespaceObstacle();
  if (userns !== null) return no(userns);
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  if (!/^Seccomp:/m.test(status)) return no('the kernel has no seccomp (CONFIG_SECCOMP_FILTER)');
  const tools = found as { [K in keyof typeof found]: string };
  return { ok: true, facts: { tools: { ...tools }, bwrapVersion: version.join('.'), arch } };
}
