import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  agentChoice,
  bool,
  deliverModes,
  expecting,
  guardSeverities,
  int,
  oneOf,
  section,
  skillNames,
  stringList,
} from './fields.js';
import { configError, fromZodIssues } from './issues.js';
import { parseToml, readConfigText } from './toml.js';

/**
 * The per-project overlay, `<root>/.harness/config.toml`: settings a repository carries for itself
 * (branch names, validation commands, agent choice). It lives in the project's own tree, so it is
 * as strict as the server file: a typo must not silently fall back to a default.
 */

export const overlayRelativePath = path.join('.harness', 'config.toml');

interface RefRules {
  /** Branch prefixes end in "/" by design. */
  trailingSlash: boolean;
  /** Remote names are single components. */
  slash: boolean;
  empty: boolean;
}

/** A conservative subset of git's ref-name rules: safe in refs, URLs and shell arguments alike. */
export function isRefSafe(value: string, rules: RefRules): boolean {
  if (value === '') return rules.empty;
  if (!/^[A-Za-z0-9._/-]+$/.test(value)) return false;
  if (!rules.slash && value.includes('/')) return false;
  if (value.includes('..') || value.includes('//') || /^[-/]/.test(value)) return false;
  if (value.endsWith('/') && !rules.trailingSlash) return false;
  if (value.endsWith('.')) return false;
  const components = value.split('/').filter((c) => c !== '');
  return components.every((c) => !c.startsWith('.') && !c.endsWith('.lock'));
}

function gitRef(expected: string, rules: RefRules) {
  const e = expecting(expected);
  return z.string(e).refine((v) => isRefSafe(v, rules), e);
}

const overlaySchema = z.strictObject(
  {
    git: section({
      base_branch: gitRef('a branch name of letters, digits, ".", "_", "-" and "/"', {
        trailingSlash: false,
        slash: true,
        empty: false,
      }).optional(),
      remote: gitRef('a remote name of letters, digits, ".", "_" and "-"', {
        trailingSlash: false,
        slash: false,
        empty: false,
      }).default('origin'),
      branch_prefix: gitRef('a branch prefix of letters, digits, ".", "_", "-" and "/" such as "harness/"', {
        trailingSlash: true,
        slash: true,
        empty: true,
      }).default('harness/'),
      deliver: oneOf(deliverModes).optional(),
      keep_failed_branches: bool().optional(),
    }),
    validation: section({
      pre_commit: stringList().default([]),
      pre_push: stringList().default([]),
      timeout_secs: int(1).default(120),
      max_retries: int(0, 10).default(2),
      // Unset: the server's [validation] guard_severity.
      guard_severity: oneOf(guardSeverities).optional(),
    }),
    agent: section({ default: agentChoice().optional() }),
    review: section({
      enabled: bool().optional(),
      reviewer_agent: agentChoice().optional(),
      max_rounds: int(1, 20).optional(),
    }),
    concurrency: section({ max_concurrent_tasks: int(1).optional() }),
    gc: section({ max_drafts_per_run: int(0).optional() }),
    // Skills every turn on this project activates, beside the server's [skills] always.
    skills: section({ always: skillNames().default([]) }),
    preflight: section({ enabled: bool().optional() }),
  },
  expecting('a table'),
);

export type ProjectOverlay = z.output<typeof overlaySchema> & {
  /** The overlay file, or null when the project has none (all defaults). */
  file: string | null;
};

export function parseProjectOverlay(text: string, file: string): ProjectOverlay {
  const parsed = overlaySchema.safeParse(parseToml(text, file));
  if (!parsed.success) throw configError(file, fromZodIssues(overlaySchema, parsed.error.issues));
  return { ...parsed.data, file };
}

/** The overlay of the project at `projectRoot`; a missing file means defaults, a broken one throws. */
export function loadProjectOverlay(projectRoot: string): ProjectOverlay {
  const file = path.resolve(projectRoot, overlayRelativePath);
  if (!existsSync(file)) return { ...overlaySchema.parse({}), file: null };
  return parseProjectOverlay(readConfigText(file), file);
}
