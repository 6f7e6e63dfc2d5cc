import { z } from 'zod';

/** Most bytes of unified diff a `task/diff` answer carries; `truncated` says when it was cut. */
export const MAX_TASK_DIFF_BYTES = 1_048_576;

/** `task/diff` and `GET /tasks/ID/diff`. */
export const taskDiffParamsSchema = z.strictObject({ task_id: z.string().min(1).max(200) });
export type TaskDiffParams = z.infer<typeof taskDiffParamsSchema>;

/** How a file differs from the base, as `git diff --name-status` says (a rename under its new path). */
export const taskDiffFileStatusSchema = z.enum([
  'added',
  'modified',
  'deleted',
  'renamed',
  'copied',
  'type_changed',
]);

export const taskDiffFileSchema = z.object({
  path: z.string(),
  status: taskDiffFileStatusSchema,
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  binary: z.boolean(),
});
export type TaskDiffFile = z.infer<typeof taskDiffFileSchema>;

/**
 * What a task changed, against the commit its branch started from: from its worktree while it
 * exists (uncommitted and untracked files included), else from its kept or pushed branch.
 */
export const taskDiffSchema = z.object({
  task_id: z.string(),
  /** The commit the task's branch started from; null for a task that never got a branch. */
  base: z.string().nullable(),
  branch: z.string().nullable(),
  /** The delivered commit, as on the task. */
  commit_sha: z.string().nullable(),
  /** Where the diff was read: the live worktree, the branch, or nothing (the task changed nothing). */
  source: z.enum(['worktree', 'branch', 'none']),
  files: z.array(taskDiffFileSchema),
  /** The unified diff (`git diff`), at most MAX_TASK_DIFF_BYTES. */
  diff: z.string(),
  truncated: z.boolean(),
});
export type TaskDiff = z.infer<typeof taskDiffSchema>;
