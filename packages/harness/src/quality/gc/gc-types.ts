import type { Draft, Grade, ReplayReport, Signal } from '@harness/protocol';
import type { BudgetSettings } from './budget.js';

/** What GC needs to know of a project: its name and where its tree is. */
export interface GcProject {
  name: string;
  root: string;
}

/** The `[gc]` settings GC itself reads (the signal thresholds belong to the detectors). */
export interface GcSettings extends BudgetSettings {
  max_drafts_per_run: number;
  draft_ttl_hours: number;
  auto_pr: boolean;
  auto_adopt: 'off' | 'rules-only';
}

/** An adopted draft's pull request: an ordinary task told to deliver the commit on `branch`. */
export interface PullRequestRequest {
  project: GcProject;
  draft: Draft;
  branch: string;
  commit: string;
}

/**
 * What GC is given by whoever assembles it: the signal detectors, the replay of a draft on the
 * tree and the history, the project's grade (for the scheduler) and a way to open a task.
 */
export interface GcPorts {
  signals: (project: GcProject) => Promise<Signal[]>;
  /** Null: drafts keep `replay: null`. */
  replay: ((draft: Draft, project: GcProject) => Promise<ReplayReport>) | null;
  /** Null: `gc.auto_pr` cannot be honoured and adoption says so. */
  openPullRequest: ((request: PullRequestRequest) => Promise<string>) | null;
}

/** Where a run is, for `gc/status` and `harness gc run`'s progress lines. */
export interface GcProgress {
  step: string;
  index: number;
  count: number;
  message: string;
}

export type GradeOf = (project: GcProject) => Promise<Grade | null>;
