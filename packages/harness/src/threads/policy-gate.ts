import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandGate } from '../agents/index.js';
import { checkCommandLineWithScripts, discoverPolicyFiles, loadPolicyFiles } from '../policy/index.js';

/**
 * The execution policy of a project as a command gate for its agents: `.harness/policy/*.star`
 * plus `rules.exec_policy_paths`, loaded when a turn starts (so an edited policy applies to the
 * next turn). A policy that fails to load throws, so the turn fails rather than running unpoliced.
 */
export function policyGateFor(extraPaths: readonly string[]) {
  return async (projectRoot: string): Promise<CommandGate | undefined> => {
    const files = await discoverPolicyFiles(await policyRootOf(projectRoot), extraPaths);
    if (files.length === 0) return undefined;
    const policy = await loadPolicyFiles(files);
    return async ({ command, cwd }) => {
      const result = await checkCommandLineWithScripts(policy, command, cwd);
      return { decision: result.decision, reason: result.reason };
    };
  };
}

/**
 * Where a directory's policy lives. A linked git worktree (a task's) answers to the policy of its
 * main checkout: the copy in the worktree is the agent's to edit, and a policy the agent could
 * loosen for its own next turn would be no policy at all.
 */
export async function policyRootOf(root: string): Promise<string> {
  // In a linked worktree `.git` is a file: `gitdir: <main>/.git/worktrees/<name>`.
  const dotGit = await readFile(path.join(root, '.git'), 'utf8').catch(() => '');
  const gitDir = /^gitdir: (.+)$/m.exec(dotGit)?.[1]?.trim();
  if (gitDir === undefined) return root;
  const worktreeGitDir = path.resolve(root, gitDir);
  // Only linked worktrees have `commondir` (a submodule's gitdir does not).
  const common = await readFile(path.join(worktreeGitDir, 'commondir'), 'utf8').catch(() => null);
  if (common === null) return root;
  const commonDir = path.resolve(worktreeGitDir, common.trim());
  // A bare repository has no checkout to read a policy from; the worktree's own copy it is.
  return path.basename(commonDir) === '.git' ? path.dirname(commonDir) : root;
}
