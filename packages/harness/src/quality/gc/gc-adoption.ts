import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Draft } from '@harness/protocol';
import {
  type Clock,
  ErrorCodes,
  type Git,
  type GitAuthor,
  HarnessError,
  type ProcessRunner,
} from '../../core/index.js';
import type { EventLog } from '../../observe/index.js';
import type { Store } from '../../store/index.js';
import { checkArtifactPaths, writeArtifacts } from './artifact-paths.js';
import type { GcPorts, GcProject, GcSettings } from './gc-types.js';

/**
 * Adopting and rejecting a draft. Adoption checks every artifact path before anything is
 * written, claims the draft (pending → adopted, atomically), then writes: into the project's tree,
 * or with `gc.auto_pr` as a commit on a `gc/<draft>` branch (through a throwaway worktree, so the
 * operator's checkout is not touched) handed to an ordinary task that opens the pull request.
 */

export interface AdoptionDeps {
  store: Store;
  events: EventLog;
  clock: Clock;
  settings: GcSettings;
  ports: GcPorts;
  runner: ProcessRunner;
  git: Git;
  author: GitAuthor;
  /** Where throwaway worktrees go (the data directory's). */
  scratchDir: string;
}

export interface AdoptOutcome {
  draft: Draft;
  written: string[];
  branch: string | null;
}

function notPending(draft: Draft, act: string): HarnessError {
  const by = draft.decided_by === null ? '' : ` by ${draft.decided_by}`;
  const at = draft.decided_at === null ? '' : ` at ${draft.decided_at}`;
  return new HarnessError(
    ErrorCodes.conflict,
    `draft ${draft.id} cannot be ${act}: it is ${draft.status}${by}${at}, only a pending draft can`,
    { data: { status: draft.status } },
  );
}

export async function adoptDraft(
  deps: AdoptionDeps,
  draft: Draft,
  project: GcProject,
  by: string,
): Promise<AdoptOutcome> {
  if (draft.status !== 'pending') throw notPending(draft, 'adopted');
  // Every path first: a hostile artifact refuses the whole draft before anything is written.
  checkArtifactPaths(project.root, draft.artifacts);
  const openPullRequest = deps.ports.openPullRequest;
  if (deps.settings.auto_pr && openPullRequest === null) {
    throw new HarnessError(ErrorCodes.unavailable, 'gc.auto_pr is on but this server cannot create tasks');
  }
  const decidedAt = deps.clock.now().toISOString();
  const claimed = await deps.store.gc.drafts.decide(draft.id, 'pending', {
    status: 'adopted',
    decided_at: decidedAt,
    decided_by: by,
  });
  if (claimed === null) throw notPending((await deps.store.gc.drafts.get(draft.id)) ?? draft, 'adopted');
  try {
    if (!deps.settings.auto_pr || openPullRequest === null) {
      return {
        draft: claimed,
        written: await writeArtifacts(deps.runner, project.root, draft.artifacts),
        branch: null,
      };
    }
    const { branch, commit } = await commitOnBranch(deps, draft, project);
    const taskId = await openPullRequest({ project, draft: claimed, branch, commit });
    const withTask = await deps.store.gc.drafts.decide(draft.id, 'adopted', { ...claimed, task_id: taskId });
    return { draft: withTask ?? claimed, written: [], branch };
  } catch (error) {
    // Nothing adopted after all: the draft is pending again, for another try or a rejection.
    await deps.store.gc.drafts.decide(draft.id, 'adopted', {
      status: 'pending',
      decided_at: null,
      decided_by: null,
    });
    throw error;
  }
}

/** Commits the artifacts on `gc/<draft>` from the project's HEAD in a throwaway worktree. */
async function commitOnBranch(
  deps: AdoptionDeps,
  draft: Draft,
  project: GcProject,
): Promise<{ branch: string; commit: string }> {
  const branch = `gc/${draft.id}`;
  const head = await deps.git.revParse(project.root, 'HEAD');
  if (head === null)
    throw new HarnessError(ErrorCodes.conflict, `project ${project.name} has no commit to branch from`);
  mkdirSync(deps.scratchDir, { recursive: true, mode: 0o700 });
  const scratch = mkdtempSync(path.join(deps.scratchDir, 'gc-'));
  const worktree = path.join(scratch, 'tree');
  try {
    await deps.git.worktreeAdd(project.root, worktree, branch, head);
    await writeArtifacts(deps.runner, worktree, draft.artifacts);
    await deps.git.addAll(worktree);
    const summary = `GC: ${draft.signal.type} (${draft.signal.key})`.slice(0, 72);
    const body = `Adopted draft ${draft.id}.\n\n${draft.signal.summary}\n\n${draft.rationale}`.slice(0, 8000);
    const result = await deps.git.commit(worktree, `${summary}\n\n${body}`, deps.author);
    if (!result.committed) {
      throw new HarnessError(
        ErrorCodes.conflict,
        `draft ${draft.id} changes nothing in project ${project.name}`,
      );
    }
    return { branch, commit: result.commit };
  } finally {
    await deps.git.worktreeRemove(project.root, worktree, { force: true }).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function rejectDraft(
  deps: Pick<AdoptionDeps, 'store' | 'clock'>,
  draft: Draft,
  by: string,
  reason: string,
): Promise<Draft> {
  if (draft.status !== 'pending') throw notPending(draft, 'rejected');
  const rejected = await deps.store.gc.drafts.decide(draft.id, 'pending', {
    status: 'rejected',
    decided_at: deps.clock.now().toISOString(),
    decided_by: by,
    reject_reason: reason,
  });
  if (rejected === null) throw notPending((await deps.store.gc.drafts.get(draft.id)) ?? draft, 'rejected');
  return rejected;
}

/** The prompt of the task that delivers an adopted draft's branch. */
export function pullRequestPrompt(draft: Draft, branch: string, commit: string): string {
  const files = draft.artifacts.map((a) => `- ${a.path} (${a.kind})`).join('\n');
  return [
    `Deliver the adopted GC remediation draft ${draft.id}: its files are applied on branch ${branch}`,
    `(commit ${commit}). Bring that commit into your branch (git cherry-pick ${commit}) and make no`,
    'other change, unless validation fails because of it. The files:',
    files,
    '',
    `Why: ${draft.signal.summary}`,
    draft.rationale === '' ? '' : `\n${draft.rationale}`,
  ].join('\n');
}
