/**
 * Lists the regular files under a directory, in a stable (sorted) order, without following
 * symbolic links. Links and special files are returned as notes: a link whose target leaves the
 * scanned tree is suspicious (a loader following it reads a file this scan never saw); one that
 * stays inside is only informational, its target is scanned where it lives.
 */
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { FindingInput } from './scanner.ts';

export interface WalkFile {
  readonly rel: string;
  readonly abs: string;
  readonly size: number;
}

export interface WalkNote {
  readonly rel: string;
  readonly finding: FindingInput;
}

export interface WalkResult {
  readonly files: WalkFile[];
  readonly notes: WalkNote[];
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

async function linkNote(root: string, abs: string): Promise<FindingInput> {
  const target = await readlink(abs);
  let resolved: string;
  try {
    resolved = await realpath(abs);
  } catch {
    return { severity: 'info', rule: 'scan.symlink-skipped', message: `Symbolic link to '${target}', which does not exist; not followed.` };
  }
  const realRoot = await realpath(root);
  const r = relative(realRoot, resolved);
  if (r === '' || r.startsWith('..') || isAbsolute(r)) {
    return { severity: 'suspicious', rule: 'scan.symlink-outside', message: `Symbolic link to '${target}' (${resolved}), outside the scanned tree: not followed, so what a loader would read through it is not verified.` };
  }
  return { severity: 'info', rule: 'scan.symlink-skipped', message: `Symbolic link to '${target}' inside the scanned tree (${toPosix(r)}); not followed, its target is scanned where it lives.` };
}

/** Walks `root` breadth-first in sorted order; stops listing past `maxFiles` files. */
export async function walkTree(root: string, maxFiles: number, signal?: AbortSignal): Promise<WalkResult> {
  const files: WalkFile[] = [];
  const notes: WalkNote[] = [];
  const queue: string[] = [root];
  while (queue.length > 0 && files.length <= maxFiles) {
    signal?.throwIfAborted();
    const dir = queue.shift()!;
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = join(dir, e.name);
      const rel = toPosix(relative(root, abs));
      if (e.isSymbolicLink()) notes.push({ rel, finding: await linkNote(root, abs) });
      else if (e.isDirectory()) queue.push(abs);
      else if (e.isFile()) files.push({ rel, abs, size: (await lstat(abs)).size });
      else notes.push({ rel, finding: { severity: 'info', rule: 'scan.special-file', message: 'A device, FIFO or socket: not read.' } });
      if (files.length > maxFiles) break;
    }
  }
  return { files, notes };
}
