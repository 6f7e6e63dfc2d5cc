import { ErrorCodes, HarnessError } from '../errors.js';
import type { AgentChoice, DeliverModeSetting, GuardSeveritySetting } from './fields.js';
import { configError } from './issues.js';
import { loadProjectOverlay, type ProjectOverlay } from './overlay.js';
import { defaultProject } from './projects.js';
import { checkReviewScope, globalReviewScopes, type ReviewScope, type Setting } from './reviewer.js';
import type { HarnessConfig, ProjectConfig } from './schema.js';

/**
 * What a task on a project runs with: server defaults, then the `[[projects]]` entry, then the
 * project's own overlay, most specific last.
 */

export interface ResolvedProjectSettings {
  name: string;
  root: string;
  is_default: boolean;
  /** The overlay that contributed, or null when the project has none. */
  overlay_file: string | null;
  /** `base_branch` unset: the remote's HEAD branch, found when a task starts. */
  git: Omit<ProjectOverlay['git'], 'deliver' | 'keep_failed_branches'> & {
    deliver: DeliverModeSetting;
    /** A failed or cancelled task's branch stays in the checkout (its unfinished work committed). */
    keep_failed_branches: boolean;
  };
  /** `guard_severity`: the overlay's, else the server's. */
  validation: Omit<ProjectOverlay['validation'], 'guard_severity'> & { guard_severity: GuardSeveritySetting };
  agent: { default: AgentChoice };
  review: {
    enabled: boolean;
    reviewer_agent: AgentChoice;
    max_rounds: number;
    /** The server's `[agents.review]`: a challenger of another provider, its turns, the confidence that counts. */
    challenger_agent: AgentChoice | 'none';
    challenge_rounds: number;
    min_confidence: number;
  };
  /** A read-only preflight turn before implementing: the overlay's `[preflight] enabled`, else the server's. */
  preflight: { enabled: boolean };
  max_concurrent: number;
}

const serverConfigLabel = 'the server config';

function overlayScope(base: ReviewScope, overlay: ProjectOverlay): ReviewScope {
  const file = overlay.file ?? undefined;
  const inherited = <T>(s: Setting<T>): Setting<T> => ({ ...s, file: serverConfigLabel });
  const own = <T>(value: T, path: string): Setting<T> => ({
    value,
    path,
    scope: 'overlay',
    ...(file ? { file } : {}),
  });
  return {
    name: 'overlay',
    implementor:
      overlay.agent.default === undefined
        ? inherited(base.implementor)
        : own(overlay.agent.default, 'agent.default'),
    reviewer:
      overlay.review.reviewer_agent === undefined
        ? inherited(base.reviewer)
        : own(overlay.review.reviewer_agent, 'review.reviewer_agent'),
    enabled:
      overlay.review.enabled === undefined
        ? inherited(base.enabled)
        : own(overlay.review.enabled, 'review.enabled'),
  };
}

function findProject(config: HarnessConfig, name: string): { project: ProjectConfig; index: number } {
  const index = config.projects.findIndex((p) => p.name === name);
  const project = config.projects[index];
  if (project === undefined) {
    const known = config.projects.map((p) => p.name).join(', ') || 'none';
    throw new HarnessError(ErrorCodes.notFound, `unknown project "${name}" (configured projects: ${known})`, {
      data: { project: name },
    });
  }
  return { project, index };
}

/** Throws config_invalid naming the overlay file when the overlay is broken or breaks the review rule. */
export function resolveProjectSettings(config: HarnessConfig, projectName: string): ResolvedProjectSettings {
  const { project, index } = findProject(config, projectName);
  const overlay = loadProjectOverlay(project.root);
  const base = globalReviewScopes(config)[index + 1]!;
  const scope = overlayScope(base, overlay);
  const issues = checkReviewScope(scope, config);
  if (issues.length > 0) throw configError(overlay.file, issues);
  return {
    name: project.name,
    root: project.root,
    is_default: defaultProject(config)?.name === project.name,
    overlay_file: overlay.file,
    git: {
      ...overlay.git,
      deliver: overlay.git.deliver ?? config.git.deliver,
      keep_failed_branches: overlay.git.keep_failed_branches ?? config.git.keep_failed_branches,
    },
    validation: {
      ...overlay.validation,
      guard_severity: overlay.validation.guard_severity ?? config.validation.guard_severity,
    },
    agent: { default: scope.implementor.value },
    review: {
      enabled: scope.enabled.value,
      reviewer_agent: scope.reviewer.value,
      max_rounds: overlay.review.max_rounds ?? config.agents.review.max_rounds,
      challenger_agent: config.agents.review.challenger_agent,
      challenge_rounds: config.agents.review.challenge_rounds,
      min_confidence: config.agents.review.min_confidence,
    },
    preflight: { enabled: overlay.preflight.enabled ?? config.preflight.enabled },
    max_concurrent: overlay.concurrency.max_concurrent_tasks ?? project.max_concurrent,
  };
}
