import type { Task } from '@harness/protocol';
import type { Git } from '../core/index.js';
import { type GithubClient, type RepoRef, parseRemoteUrl } from '../github/index.js';
import type { TaskBrief } from './prompts.js';
import { TaskFailure } from './task-failure.js';

export interface TaskSource {
  brief: TaskBrief;
  /** For a pull-request task: the branch the work continues on (and is pushed back to). */
  prBranch: string | null;
  prUrl: string | null;
}

/** The GitHub repository behind a project's remote, or null when the remote is not one. */
export async function repoOf(git: Git, root: string, remote: string): Promise<RepoRef | null> {
  const url = await git.remoteUrl(root, remote).catch(() => null);
  return url === null ? null : parseRemoteUrl(url);
}

/**
 * Why a pull request cannot be opened, naming what to configure; null when it can (a `[github]`
 * token is set and the remote names a GitHub repository).
 */
export function pullRequestMissing(
  github: GithubClient | null,
  repo: RepoRef | null,
  remote: string,
): string | null {
  const noRepo = `remote "${remote}" is not a GitHub repository (its URL does not end in owner/repo)`;
  const noToken = 'no GitHub token is set ([github] token in the config, or GITHUB_TOKEN)';
  const missing = [
    repo === null ? noRepo : null,
    github === null || !github.hasToken ? noToken : null,
  ].filter((m) => m !== null);
  if (missing.length === 0) return null;
  return `${missing.join(', and ')}; deliver by branch ([git] deliver = "branch") or give what is missing`;
}

/** What the task asks, in the requester's words: the prompt, or the issue or PR fetched from GitHub. */
export async function taskSource(
  task: Task,
  github: GithubClient | null,
  repo: RepoRef | null,
): Promise<TaskSource> {
  if (task.kind === 'prompt') {
    const prompt = task.prompt ?? '';
    const firstLine = prompt.split('\n')[0]!.trim();
    return {
      brief: {
        title: firstLine.length > 72 ? `${firstLine.slice(0, 71)}…` : firstLine,
        body: prompt,
        source: 'The task',
      },
      prBranch: null,
      prUrl: null,
    };
  }
  if (!github || !repo) {
    throw new TaskFailure(
      'github_unavailable',
      `a ${task.kind} task needs a GitHub remote and API access ([github] api_url, token)`,
    );
  }
  if (task.kind === 'issue') {
    const issue = await github.getIssue(repo, task.issue as number);
    return {
      brief: {
        title: issue.title,
        body: issue.body,
        source: `GitHub issue #${issue.number} (${issue.html_url})`,
      },
      prBranch: null,
      prUrl: null,
    };
  }
  const pr = await github.getPullRequest(repo, task.pr as number);
  if (pr.head.repo_full_name !== null && pr.head.repo_full_name !== `${repo.owner}/${repo.repo}`) {
    throw new TaskFailure(
      'fork_pull_request',
      `pull request #${pr.number} comes from a fork (${pr.head.repo_full_name}); Harness only pushes to its own repository`,
    );
  }
  return {
    brief: {
      title: pr.title,
      body: pr.body,
      source: `GitHub pull request #${pr.number} (${pr.html_url}), branch ${pr.head.ref}`,
    },
    prBranch: pr.head.ref,
    prUrl: pr.html_url,
  };
}

export function pullRequestBody(task: Task, summary: string): string {
  const closes = task.kind === 'issue' ? `\n\nCloses #${task.issue}.` : '';
  return `${summary.trim() || 'Changes made by an agent under Harness.'}${closes}\n\n---\nOpened by Harness task \`${task.id}\`; validated before opening and reviewed by an independent agent.`;
}
