/**
 * Control groups: where they are, and Rampart's own cgroup below which every session gets one.
 *
 * cgroup v2 (one unified hierarchy with the memory, pids and cpu controllers) is used when it has
 * them; otherwise cgroup v1 (one hierarchy per controller, as on hybrid systems where the unified
 * mount holds no controller). Rampart's cgroup is created below Rampart's own cgroup in each
 * hierarchy, so whatever limits the service manager puts on Rampart also bound its sandboxes, or
 * below `cgroupParent` when the operator names a delegated one (needed on v2 when Rampart's own
 * cgroup holds processes: the "no internal processes" rule forbids enabling controllers there).
 *
 * Names carry the owning pid (`rampart-sandbox-<pid>-<random>`), so that a later run can remove
 * what a crashed run left behind without touching a live one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childCgroups, readPids, removeCgroupDir, writeValue } from './cgroup-files.ts';
import type { SessionCgroup, V1Dirs } from './cgroup-types.ts';
import { V1SessionCgroup } from './cgroup-v1.ts';
import { V2SessionCgroup } from './cgroup-v2.ts';
import type { MountEntry } from './mountinfo.ts';

export type { CgroupCounters, CgroupLimits, PeakTracker, SessionCgroup } from './cgroup-types.ts';

export type CgroupLayout =
  | { readonly version: 'v1'; readonly parents: V1Dirs }
  | { readonly version: 'v2'; readonly parent: string };

const V2_CONTROLLERS = ['memory', 'pids', 'cpu'];
const BASE_NAME = /^rampart-sandbox-([0-9]+)-[0-9a-f]+$/;

/** This process's cgroup per hierarchy: 'memory' -> '/a/b' (v1), '' -> '/a/b' (v2). */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^[0-9]+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of m[1]!.split(',')) out.set(c, m[2]!);
  }
  return out;
}

function dirIn(mount: MountEntry, cgroupPath: string): string {
  const rel = mount.root !== '/' && cgroupPath.startsWith(mount.root) ? cgroupPath.slice(mount.root.length) : cgroupPath;
  const dir = join(mount.mountPoint, rel);
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

/**
 * Finds the hierarchies and the parent directory of Rampart's cgroup. `parent` (optional) is a
 * cgroup path like `/rampart.slice/sandbox`, used in every hierarchy instead of our own cgroup.
 */
export async function detectCgroups(mounts: readonly MountEntry[], procCgroup: string, parent: string | null): Promise<{ layout: CgroupLayout } | { reason: string }> {
  const own = parseProcCgroup(procCgroup);
  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  if (v2) {
    const root = v2.mountPoint;
    const have = ((await readFile(join(root, 'cgroup.controllers'), 'utf8').catch(() => '')) || '').trim().split(/\s+/);
    if (V2_CONTROLLERS.every((c) => have.includes(c))) {
      return { layout: { version: 'v2', parent: dirIn(v2, parent ?? own.get('') ?? '/') } };
    }
  }
  const v1 = (c: string): string | null => {
    const m = mounts.find((x) => x.fsType === 'cgroup' && x.superOptions.includes(c));
    return m ? dirIn(m, parent ?? own.get(c) ?? '/') : null;
  };
  const memory = v1('memory');
  const pids = v1('pids');
  const cpu = v1('cpu');
  const missing = [memory ? null : 'memory', pids ? null : 'pids', cpu ? null : 'cpu'].filter((x) => x !== null);
  if (memory && pids && cpu) return { layout: { version: 'v1', parents: { memory, pids, cpu, cpuacct: v1('cpuacct'), freezer: v1('freezer') } } };
  return { reason: `no cgroup hierarchy with the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''} (neither a cgroup v2 mount that has them nor cgroup v1 mounts)` };
}

const distinct = (dirs: readonly (string | null)[]): string[] => [...new Set(dirs.filter((d): d is string => d !== null))];

function parentDirs(layout: CgroupLayout): string[] {
  return layout.version === 'v2' ? [layout.parent] : distinct(Object.values(layout.parents));
}

/** The directories named `name` below each v1 hierarchy's `parents`. */
function v1Below(parents: V1Dirs, name: string): V1Dirs {
  const under = (d: string | null): string | null => (d === null ? null : join(d, name));
  return { memory: join(parents.memory, name), pids: join(parents.pids, name), cpu: join(parents.cpu, name), cpuacct: under(parents.cpuacct), freezer: under(parents.freezer) };
}

/** Creates every directory, or none: those already made are removed when one fails. */
async function mkdirAll(dirs: readonly string[]): Promise<void> {
  const made: string[] = [];
  try {
    for (const d of dirs) {
      await mkdir(d, { mode: 0o755 });
      made.push(d);
    }
  } catch (e) {
    for (const d of made.reverse()) await removeCgroupDir(d).catch(() => {});
    throw e;
  }
}

/** Removes Rampart cgroups whose owning process is gone (a crashed earlier run). Best effort. */
export async function removeStaleCgroups(layout: CgroupLayout, isAlive: (pid: number) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const parent of parentDirs(layout)) {
    for (const name of await childCgroups(parent)) {
      const m = BASE_NAME.exec(name);
      if (!m || isAlive(Number(m[1]))) continue;
      const base = join(parent, name);
      try {
        for (const s of await childCgroups(base)) {
          // A crashed run's sandboxes died with it (--die-with-parent); anything left is not ours to guess about.
          if ((await readPids(join(base, s))).length > 0) throw new Error(`${join(base, s)} still has processes`);
          await removeCgroupDir(join(base, s));
        }
        await removeCgroupDir(base);
        removed.push(base);
      } catch {
        // Left for the operator; a fresh base is created next to it either way.
      }
    }
  }
  return removed;
}

/** Rampart's cgroup (one per backend instance), below which sessions get theirs. */
export class CgroupBase {
  readonly layout: CgroupLayout;
  readonly #dirs: CgroupLayout;

  private constructor(layout: CgroupLayout, dirs: CgroupLayout) {
    this.layout = layout;
    this.#dirs = dirs;
  }

  static async create(layout: CgroupLayout): Promise<CgroupBase> {
    const name = `rampart-sandbox-${process.pid}-${randomBytes(6).toString('hex')}`;
    if (layout.version === 'v2') {
      // Controllers must be enabled on every level down to the session (cgroup-v2.rst, "Enabling and Disabling").
      try {
        await writeValue(layout.parent, 'cgroup.subtree_control', V2_CONTROLLERS.map((c) => `+${c}`).join(' '));
      } catch (e) {
        throw new Error(`cgroup v2: cannot enable ${V2_CONTROLLERS.join(', ')} below ${layout.parent}: it probably holds processes (no internal processes rule); set cgroupParent to a delegated cgroup without processes`, { cause: e });
      }
      const dir = join(layout.parent, name);
      await mkdir(dir, { mode: 0o755 });
      await writeValue(dir, 'cgroup.subtree_control', V2_CONTROLLERS.map((c) => `+${c}`).join(' '));
      return new CgroupBase(layout, { version: 'v2', parent: dir });
    }
    const dirs = v1Below(layout.parents, name);
    await mkdirAll(distinct(Object.values(dirs)));
    return new CgroupBase(layout, { version: 'v1', parents: dirs });
  }

  /** A new session cgroup named `name` (a random, path-safe token chosen by the backend). */
  async session(name: string): Promise<SessionCgroup> {
    if (this.#dirs.version === 'v2') {
      const dir = join(this.#dirs.parent, name);
      await mkdir(dir, { mode: 0o755 });
      return new V2SessionCgroup(dir);
    }
    const dirs = v1Below(this.#dirs.parents, name);
    await mkdirAll(distinct(Object.values(dirs)));
    return new V1SessionCgroup(dirs, distinct(Object.values(dirs)));
  }

  /** Removes Rampart's cgroup (sessions must be gone). */
  async remove(): Promise<void> {
    for (const d of parentDirs(this.#dirs)) {
      if (existsSync(d)) await removeCgroupDir(d);
    }
  }
}
