/**
 * Another revision of this repository beside the working tree, for benchmarks that compare two
 * revisions in one run (`--compare <ref>`): a detached git worktree sharing this checkout's
 * node_modules, removed again afterwards.
 */
import { execFileSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..');

/** Checks `revision` out in `dir`; returns the full commit id. */
export async function checkoutRevision(revision: string, dir: string): Promise<string> {
  const git = (...args: string[]) => execFileSync('git', ['-C', REPO, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const sha = git('rev-parse', '--verify', `${revision}^{commit}`);
  git('worktree', 'add', '--detach', dir, sha);
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return sha;
}

export function removeCheckout(dir: string): void {
  try {
    execFileSync('git', ['-C', REPO, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
  } catch {
    // not created (a bad revision) or already gone
  }
  execFileSync('git', ['-C', REPO, 'worktree', 'prune'], { stdio: 'ignore' });
}
