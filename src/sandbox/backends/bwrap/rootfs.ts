/**
 * What of the host's filesystem a sandbox sees: an allow-list, read-only, decided once at start-up.
 *
 * The root is bwrap's own empty tmpfs, remounted read-only. Into it go: the system's programs and
 * libraries (/usr/bin, /usr/sbin, /usr/lib*, /usr/libexec, /usr/share; and /bin, /lib... mirrored
 * as they are on the host, symlinks on a merged-/usr system), the dynamic loader's cache and
 * Debian's alternatives and Python config from /etc, and the sandbox's own passwd, group, hosts,
 * hostname and nsswitch.conf. Nothing else: not /usr/local (operators keep tools and tokens there,
 * e.g. an npmrc), /etc at large (shadow, ssl keys, the machine's resolver and identity), /home,
 * /root, /var, /run, /srv, /opt, /mnt, /media, the host's /proc or /sys, or Rampart's own files.
 */
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface RootfsPlan {
  /** [host path, sandbox path], read-only binds. */
  readonly binds: readonly (readonly [string, string])[];
  /** [target, sandbox path] symlinks (merged /usr: /bin -> usr/bin). */
  readonly symlinks: readonly (readonly [string, string])[];
  /** Host directories bound (resolved), to tell whether an interpreter is visible. */
  readonly visibleDirs: readonly string[];
}

const USR_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'libexec', 'share'];
const TOP_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
const ETC_FILES = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives'];
/** Debian's Python reads its sitecustomize and config from /etc/python3{,.X}. */
const ETC_PATTERN = /^python3(\.[0-9]+)?$/;

async function kind(path: string): Promise<'dir' | 'file' | 'link' | null> {
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

/** The plan for this host, from `root` (the host's `/`; tests may point elsewhere). */
export async function hostRootfs(root = '/'): Promise<RootfsPlan> {
  const binds: [string, string][] = [];
  const symlinks: [string, string][] = [];
  const visible: string[] = [];
  for (const d of USR_DIRS) {
    const host = join(root, 'usr', d);
    const k = await kind(host);
    if (k === 'dir') {
      binds.push([host, `/usr/${d}`]);
      visible.push(await realpath(host));
    } else if (k === 'link') symlinks.push([await readlink(host), `/usr/${d}`]);
  }
  for (const d of TOP_LINKS) {
    const host = join(root, d);
    const k = await kind(host);
    if (k === 'link') symlinks.push([await readlink(host), `/${d}`]);
    else if (k === 'dir') {
      binds.push([host, `/${d}`]);
      visible.push(await realpath(host));
    }
  }
  const etc = join(root, 'etc');
  const etcNames = [...ETC_FILES, ...(await readdir(etc).catch(() => [] as string[])).filter((n) => ETC_PATTERN.test(n)).sort()];
  for (const n of etcNames) {
    const k = await kind(join(etc, n));
    if (k === 'dir' || k === 'file') binds.push([join(etc, n), `/etc/${n}`]);
  }
  return { binds, symlinks, visibleDirs: visible };
}

/** Whether `path` (a host program) resolves into a directory the sandbox sees. */
export async function visibleInSandbox(plan: RootfsPlan, path: string): Promise<boolean> {
  try {
    const real = await realpath(path);
    return plan.visibleDirs.some((d) => real === d || real.startsWith(`${d}/`));
  } catch {
    return false;
  }
}

/** Whether every directory from `/` down to `dir` (included) is searchable by other users. */
export async function worldSearchable(dir: string): Promise<boolean> {
  try {
    for (let d = dir; ; d = dirname(d)) {
      if (((await stat(d)).mode & 0o001) === 0) return false;
      if (d === '/') return true;
    }
  } catch {
    return false;
  }
}

/**
 * Whether a user other than root, owner and group (the sandbox user) can reach and run `path`:
 * bwrap binds it as that user, so every directory on the way must be world-searchable.
 */
export async function worldReachable(path: string): Promise<boolean> {
  try {
    const file = await stat(path);
    return file.isFile() && (file.mode & 0o005) === 0o005 && (await worldSearchable(dirname(path)));
  } catch {
    return false;
  }
}
