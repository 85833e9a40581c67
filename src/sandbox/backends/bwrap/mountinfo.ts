/**
 * /proc/self/mountinfo, parsed (proc(5)): where the cgroup hierarchies are mounted, and which
 * session file spaces a crashed run left mounted.
 */
import { readFile } from 'node:fs/promises';

export interface MountEntry {
  /** The directory of the mounted filesystem that is mounted (field 4). */
  readonly root: string;
  /** Where it is mounted (field 5). */
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
  /** Per-superblock options (for cgroup v1: the controllers of the hierarchy). */
  readonly superOptions: readonly string[];
}

/** Fields escape space, tab, newline and backslash as octal (\040, \011, \012, \134). */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    if (pre.length < 6 || post.length < 3) continue;
    out.push({
      root: unescape(pre[3]!),
      mountPoint: unescape(pre[4]!),
      fsType: post[0]!,
      source: unescape(post[1]!),
      superOptions: post[2]!.split(','),
    });
  }
  return out;
}

export async function readMountinfo(): Promise<MountEntry[]> {
  return parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
}
