import { readFile } from 'node:fs/promises';
import path from 'node:path';

const objectId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The commit `branch` names, read from the loose ref file git has just written for it in the
 * repository `worktree` belongs to (its `.git` file names the worktree's git directory, whose
 * `commondir` names the repository's). Only for a ref git has just created or moved: the files
 * backend writes those loose. Null whenever the layout is not exactly that one (a packed ref,
 * another ref storage, a worktree made some other way): the caller asks git instead.
 */
export async function readFreshBranchRef(worktree: string, branch: string): Promise<string | null> {
  try {
    const gitFile = (await readFile(path.join(worktree, '.git'), 'utf8')).trim();
    if (!gitFile.startsWith('gitdir: ')) return null;
    const gitDir = path.resolve(worktree, gitFile.slice('gitdir: '.length));
    const head = (await readFile(path.join(gitDir, 'HEAD'), 'utf8')).trim();
    if (head !== `ref: refs/heads/${branch}`) return null;
    const common = path.resolve(gitDir, (await readFile(path.join(gitDir, 'commondir'), 'utf8')).trim());
    const commit = (await readFile(path.join(common, 'refs', 'heads', ...branch.split('/')), 'utf8')).trim();
    return objectId.test(commit) ? commit : null;
  } catch {
    return null;
  }
}
