import { realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlanProgress } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError, isWithin, systemClock } from '../core/index.js';
import { ExecPlan } from './exec-plan.js';
import { sectionKeyOf, splitPlan } from './sections.js';

/**
 * Plan files in a project: `.agent/plans/<id>.md` by default (`.harness/` is read-only to agents in
 * the sandbox, and the implementing agent must be able to keep its plan current), or any `.md` path
 * inside the project. A path that leaves the project, directly or through a symlink, is refused.
 */
export const PLANS_DIR = '.agent/plans';
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

export interface PlanFile {
  plan: ExecPlan;
  /** Relative to the project root, with `/` separators. */
  path: string;
  absolute: string;
}

export interface PlanSummary {
  plan_id: string;
  path: string;
  title: string;
  status: ExecPlan['status'];
  progress: PlanProgress;
  updated_at: string | null;
}

/** A plan's file from its id or its path; `field` names the parameter in errors. */
export function resolvePlanPath(
  root: string,
  ref: string,
  field = 'plan',
): { absolute: string; path: string } {
  const realRoot = real(root);
  const candidate = idPattern.test(ref)
    ? path.join(realRoot, PLANS_DIR, `${ref}.md`)
    : path.resolve(realRoot, ref);
  if (!candidate.endsWith('.md')) {
    throw new HarnessError(ErrorCodes.invalidParams, `${field}: ${ref} is neither a plan id nor a .md file`);
  }
  // The deepest part that exists, with its symlinks resolved, must still be inside the project.
  if (!isWithin(realRoot, candidate) || !isWithin(realRoot, realPrefix(candidate))) {
    throw new HarnessError(ErrorCodes.forbidden, `${field}: ${ref} is outside the project ${realRoot}`, {
      data: { path: [field] },
    });
  }
  return { absolute: candidate, path: path.relative(realRoot, candidate).split(path.sep).join('/') };
}

export async function readPlanFile(root: string, ref: string, clock: Clock = systemClock): Promise<PlanFile> {
  const where = resolvePlanPath(root, ref);
  let markdown: string;
  try {
    markdown = await readFile(where.absolute, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarnessError(ErrorCodes.notFound, `plan: no plan at ${where.path} in ${real(root)}`);
    }
    throw new HarnessError(
      ErrorCodes.storage,
      `plan: cannot read ${where.path}: ${(error as Error).message}`,
    );
  }
  if (!looksLikePlan(markdown)) {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `plan: ${where.path} is not an ExecPlan (no plan header or section)`,
    );
  }
  const fallbackId = path.basename(where.absolute, '.md');
  return { plan: ExecPlan.parse(markdown, { fallbackId, clock }), ...where };
}

/** Writes through a temporary file and a rename, so a reader never sees half a plan. */
export async function writePlanFile(file: { absolute: string }, plan: ExecPlan): Promise<void> {
  await mkdir(path.dirname(file.absolute), { recursive: true });
  const temporary = `${file.absolute}.${process.pid}.tmp`;
  await writeFile(temporary, plan.toMarkdown(), 'utf8');
  await rename(temporary, file.absolute);
}

/** The plans in `.agent/plans`, newest update first, and the files there that are not readable plans. */
export async function listPlanFiles(
  root: string,
): Promise<{ plans: PlanSummary[]; errors: Array<{ path: string; message: string }> }> {
  const dir = path.join(real(root), PLANS_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  const plans: PlanSummary[] = [];
  const errors: Array<{ path: string; message: string }> = [];
  for (const name of names.filter((n) => n.endsWith('.md')).sort()) {
    const relative = `${PLANS_DIR}/${name}`;
    try {
      plans.push(summarize(await readPlanFile(root, relative)));
    } catch (error) {
      errors.push({ path: relative, message: (error as Error).message });
    }
  }
  plans.sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? ''));
  return { plans, errors };
}

export function summarize(file: PlanFile): PlanSummary {
  const data = file.plan.toJSON();
  return {
    plan_id: data.id,
    path: file.path,
    title: data.title,
    status: data.status,
    progress: file.plan.progress(),
    updated_at: data.updated_at,
  };
}

/** A plan has a `- **ID**:`/`- **Status**:` header line or at least one of the convention's sections. */
function looksLikePlan(markdown: string): boolean {
  const split = splitPlan(markdown);
  if (split.head.some((l) => /^[-*]\s+\*\*(ID|Status)\*\*:/i.test(l.text.trim()))) return true;
  return split.sections.some((s) => sectionKeyOf(s.heading) !== undefined);
}

function real(p: string): string {
  try {
    return realpathSync(path.resolve(p));
  } catch {
    return path.resolve(p);
  }
}

function realPrefix(p: string): string {
  let current = p;
  for (;;) {
    try {
      return realpathSync(current);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
