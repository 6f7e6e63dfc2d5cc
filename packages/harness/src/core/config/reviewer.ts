import type { AgentChoice, AgentName } from './fields.js';
import { formatPath, type ConfigIssue } from './issues.js';
import type { HarnessConfig } from './schema.js';

/**
 * The review rule: the reviewer must not be the agent that wrote the code. It is checked in every
 * scope that can set either side (global, each project, each project's overlay). "auto" on either
 * side cannot be judged statically; the pipeline enforces it at run time.
 */

/** One effective value and where it came from. */
export interface Setting<T> {
  value: T;
  path: string;
  /** Set when the key lives in another file than the one being checked (e.g. an overlay). */
  file?: string;
  /** Which scope set it; a problem is reported only by a scope that contributed to it. */
  scope: string;
}

export interface ReviewScope {
  name: string;
  implementor: Setting<AgentChoice>;
  reviewer: Setting<AgentChoice>;
  enabled: Setting<boolean>;
}

function where(setting: Setting<unknown>, file: string | undefined): string {
  return setting.file !== undefined && setting.file !== file
    ? `${setting.path} in ${setting.file}`
    : setting.path;
}

function issueAt(setting: Setting<unknown>, message: string): ConfigIssue {
  return setting.file === undefined
    ? { path: setting.path, message }
    : { path: setting.path, message, file: setting.file };
}

export function checkReviewScope(scope: ReviewScope, config: HarnessConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { implementor, reviewer, enabled } = scope;
  const ours = (setting: Setting<unknown>) => setting.scope === scope.name;
  const isEnabled = (agent: AgentName) => config.agents[agent].enabled;
  const expected = '(expected a reviewer different from the implementing agent, or "auto")';
  if (implementor.value !== 'auto' && implementor.value === reviewer.value) {
    if (ours(implementor)) {
      const other = where(reviewer, implementor.file);
      issues.push(issueAt(implementor, `"${implementor.value}" is also the reviewer (${other}) ${expected}`));
    } else if (ours(reviewer)) {
      const other = where(implementor, reviewer.file);
      issues.push(
        issueAt(reviewer, `"${reviewer.value}" is also the implementing agent (${other}) ${expected}`),
      );
    }
  }
  if (
    enabled.value &&
    reviewer.value !== 'auto' &&
    !isEnabled(reviewer.value) &&
    (ours(reviewer) || ours(enabled))
  ) {
    issues.push(
      issueAt(
        ours(reviewer) ? reviewer : enabled,
        `reviewer "${reviewer.value}" has [agents.${reviewer.value}] enabled = false while review is enabled ` +
          `(expected an enabled agent or "auto")`,
      ),
    );
  }
  if (implementor.value !== 'auto' && !isEnabled(implementor.value) && ours(implementor)) {
    issues.push(
      issueAt(
        implementor,
        `names "${implementor.value}" but [agents.${implementor.value}] has enabled = false ` +
          `(expected an enabled agent or "auto")`,
      ),
    );
  }
  return issues;
}

/** The global scope and one scope per `[[projects]]` entry. */
export function globalReviewScopes(config: HarnessConfig): ReviewScope[] {
  const global: ReviewScope = {
    name: 'global',
    implementor: { value: config.agents.default_agent, path: 'agents.default_agent', scope: 'global' },
    reviewer: {
      value: config.agents.review.reviewer_agent,
      path: 'agents.review.reviewer_agent',
      scope: 'global',
    },
    enabled: { value: config.agents.review.enabled, path: 'agents.review.enabled', scope: 'global' },
  };
  const projects = config.projects.map((project, i): ReviewScope => {
    const name = `projects[${i}]`;
    return {
      name,
      implementor:
        project.default_agent === undefined
          ? global.implementor
          : { value: project.default_agent, path: formatPath(['projects', i, 'default_agent']), scope: name },
      reviewer:
        project.reviewer_agent === undefined
          ? global.reviewer
          : {
              value: project.reviewer_agent,
              path: formatPath(['projects', i, 'reviewer_agent']),
              scope: name,
            },
      enabled: global.enabled,
    };
  });
  return [global, ...projects];
}

export function checkReviewRules(config: HarnessConfig): ConfigIssue[] {
  return globalReviewScopes(config).flatMap((scope) => checkReviewScope(scope, config));
}
