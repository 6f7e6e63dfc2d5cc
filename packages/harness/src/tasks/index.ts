/**
 * tasks: the task domain — the service that creates, lists and cancels tasks, the persisted queue
 * and its scheduler (leases, concurrency, crash recovery), the pipeline that drives one task
 * through worktree, implementation, validation (its commands and the guard scan of the changed
 * files), pull request and review, the record of the process groups agents run in, and the
 * classifier that routes a task by complexity (classify.ts, routing.ts). Never
 * depends on server or cli (the allowed edges: docs/ARCHITECTURE.md).
 */
export { type ProcessGroupLabel, ServerProcessGroups } from './process-groups.js';
export { TaskPipeline } from './pipeline.js';
export { type PipelineDeps } from './task-run.js';
export { type SchedulerOptions, type TaskRunner, TaskScheduler } from './scheduler.js';
export { type BatchResult, type TaskDetail, type TaskOrigin, TaskService } from './task-service.js';
export { repoOf } from './task-sources.js';
export { WorktreeManager, type WorktreeManagerOptions } from './worktrees.js';
export {
  type DetectedCommand,
  type DetectedValidation,
  type PackageManager,
  describeDetected,
  detectPackageManager,
  detectValidationCommands,
} from './validation.js';
/** The guard stage's view of a task's changes and its base (for the guard-baseline benchmark). */
export { baselineTree, changedFiles, type TaskChanges, type TaskFile } from './guard-files.js';
export { classifyTask, type ClassifyInput } from './classify.js';
