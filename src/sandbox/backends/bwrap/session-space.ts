/**
 * The per-session file space: a tmpfs of `diskBytes` mounted on the host, per session, and bound
 * into every execution of that session at /mnt/data (its cwd and HOME). Files outlive executions
 * and die with the session.
 *
 * Why a tmpfs per session, mounted by the host (root): the size limit is the kernel's (ENOSPC, no
 * quota tooling), destroying it is one umount, and a session's files are a filesystem of their
 * own, so no hard link can join them to a file anywhere else (link(2) across filesystems is EXDEV)
 * and every file the host hands back can be checked to be on it (st_dev). Mount options: nosuid
 * and nodev (nothing in it can gain privileges or reach a device), noexec (programs are run by
 * their interpreter; nothing written there is mapped executable), an inode cap (one per 4 KiB),
 * and the root directory owned by the sandbox user, mode 0700.
 *
 * Layout on the host: `<tmp>/rampart-sandbox-<pid>-XXXXXX/` (root, 0711: bwrap, which runs as the
 * sandbox user, must traverse it, but nobody may list it) holds `etc/` (the sandbox's passwd,
 * group, hosts, nsswitch.conf: 0644) and one `s-<128 random bits>/` mount point per session.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runHostCommand } from './host-command.ts';
import { readMountinfo } from './mountinfo.ts';

export const SANDBOX_HOSTNAME = 'sandbox';
/** Where the file space appears inside the sandbox (cwd and HOME). */
export const DATA_DIR = '/mnt/data';

const BASE_PREFIX = 'rampart-sandbox-';
const BASE_NAME = /^rampart-sandbox-([0-9]+)-[A-Za-z0-9]{6}$/;
/** The tmpfs "device" name, so mounts are recognisable in mountinfo. */
const FS_SOURCE = 'rampart-sandbox';

export interface HostTools {
  readonly mount: string;
  readonly umount: string;
}

export interface SessionSpace {
  /** Host path of the tmpfs root. */
  readonly dir: string;
  /** st_dev of the tmpfs: every file handed back must be on it. */
  readonly dev: number;
  destroy(): Promise<void>;
}

async function unmount(tools: HostTools, dir: string): Promise<void> {
  const r = await runHostCommand(tools.umount, [dir]);
  if (r.ok) return;
  // Busy (a straggler still has it open): detach now, the kernel frees it when the last user goes.
  const lazy = await runHostCommand(tools.umount, ['-l', dir]);
  if (!lazy.ok && !/not mounted|no mount point/i.test(lazy.stderr)) throw new Error(`umount ${dir}: ${lazy.stderr.trim() || r.stderr.trim()}`);
}

export class SpaceBase {
  readonly dir: string;
  readonly etcDir: string;
  readonly #tools: HostTools;
  readonly #uid: number;
  readonly #gid: number;

  private constructor(dir: string, tools: HostTools, uid: number, gid: number) {
    this.dir = dir;
    this.etcDir = join(dir, 'etc');
    this.#tools = tools;
    this.#uid = uid;
    this.#gid = gid;
  }

  static async create(tmpRoot: string, tools: HostTools, uid: number, gid: number): Promise<SpaceBase> {
    const dir = await mkdtemp(join(tmpRoot, `${BASE_PREFIX}${process.pid}-`));
    await chmod(dir, 0o711);
    const base = new SpaceBase(dir, tools, uid, gid);
    await mkdir(base.etcDir, { mode: 0o755 });
    const files: Record<string, string> = {
      passwd: `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nsandbox:x:${uid}:${gid}:sandbox:${DATA_DIR}:/bin/sh\n`,
      group: `root:x:0:\nsandbox:x:${gid}:\n`,
      hosts: `127.0.0.1\tlocalhost ${SANDBOX_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
      hostname: `${SANDBOX_HOSTNAME}\n`,
      // Names resolve from files only: there is no resolver and no network to ask.
      'nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nprotocols: files\nservices: files\n',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(base.etcDir, name), text, { mode: 0o644 });
    return base;
  }

  /** Mounts a new session space of `diskBytes`. */
  async createSpace(diskBytes: number): Promise<SessionSpace> {
    const dir = join(this.dir, `s-${randomBytes(16).toString('hex')}`);
    await mkdir(dir, { mode: 0o700 });
    const inodes = Math.max(1024, Math.floor(diskBytes / 4096));
    const options = `size=${diskBytes},nr_inodes=${inodes},mode=0700,uid=${this.#uid},gid=${this.#gid},nosuid,nodev,noexec`;
    const r = await runHostCommand(this.#tools.mount, ['-t', 'tmpfs', '-o', options, FS_SOURCE, dir]);
    if (!r.ok) {
      await rmdir(dir).catch(() => {});
      throw new Error(`mount tmpfs: ${r.stderr.trim() || `exit ${r.code}`}`);
    }
    const [st, parent] = await Promise.all([stat(dir), stat(this.dir)]);
    if (st.dev === parent.dev || st.uid !== this.#uid) {
      await unmount(this.#tools, dir).catch(() => {});
      throw new Error('mount tmpfs: the session space is not a fresh tmpfs owned by the sandbox user');
    }
    let destroyed: Promise<void> | null = null;
    return {
      dir,
      dev: st.dev,
      destroy: () =>
        (destroyed ??= (async () => {
          await unmount(this.#tools, dir);
          await rmdir(dir);
        })()),
    };
  }

  /** Removes the base directory (every space must be destroyed). */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Removes base directories that a crashed earlier run left in `tmpRoot` (its pid is gone):
 * unmounts whatever is still mounted below them, then deletes them. Only directories owned by
 * root and named like ours are touched; rm never follows symlinks.
 */
export async function removeStaleSpaces(tmpRoot: string, tools: HostTools, isAlive: (pid: number) => boolean): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(tmpRoot);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = BASE_NAME.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    const dir = join(tmpRoot, name);
    try {
      const st = await lstat(dir);
      if (!st.isDirectory() || st.uid !== 0) continue;
      const mounts = (await readMountinfo()).map((e) => e.mountPoint).filter((p) => p.startsWith(`${dir}/`));
      // Deepest first.
      for (const p of mounts.sort((a, b) => b.length - a.length)) await unmount(tools, p);
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Left for the operator: a fresh base is created next to it either way.
    }
  }
  return removed;
}
