import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TaskPlan } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError } from '../core/index.js';
import {
  ExecPlan,
  PLANS_DIR,
  type PlanFile,
  readPlanFile,
  resolvePlanPath,
  summarize,
  writePlanFile,
} from '../plans/index.js';

/**
 * The ExecPlan a task carries. At submission it is a spec or a `.md` path in the project (a plan
 * kept as it is, or a spec); before the implementor starts it is written into the worktree (unless
 * the worktree already has it: a resumed run, or a plan committed to the repository); after each
 * of the implementor's turns it is read back and its status and progress go on the task.
 */
export async function taskPlanFrom(spec: string, projectRoot: string, clock: Clock): Promise<TaskPlan> {
  if (!spec.includes('\n') && spec.endsWith('.md')) {
    const where = resolvePlanPath(projectRoot, spec);
    const text = await readFile(where.absolute, 'utf8').catch(() => {
      throw new HarnessError(
        ErrorCodes.invalidParams,
        `plan: no file ${where.path} in the project ${projectRoot}`,
      );
    });
    try {
      return toTaskPlan(await readPlanFile(projectRoot, spec, clock));
    } catch {
      // Not a plan: the file is the spec of one.
      return fromSpec(text, projectRoot, clock);
    }
  }
  return fromSpec(spec, projectRoot, clock);
}

function fromSpec(spec: string, projectRoot: string, clock: Clock): TaskPlan {
  const plan = ExecPlan.fromSpec(spec, projectRoot, { clock });
  return toTaskPlan({ plan, path: `${PLANS_DIR}/${plan.id}.md`, absolute: '' });
}

function toTaskPlan(file: PlanFile): TaskPlan {
  const { plan_id, path: planPath, title, status, progress, updated_at } = summarize(file);
  return { plan_id, path: planPath, title, status, progress, updated_at, markdown: file.plan.toMarkdown() };
}

/** Writes the plan into the worktree unless a file is already there. */
export async function placePlan(worktree: string, plan: TaskPlan): Promise<void> {
  const where = resolvePlanPath(worktree, plan.path);
  const present = await access(where.absolute).then(
    () => true,
    () => false,
  );
  if (!present) await writePlanFile(where, ExecPlan.parse(plan.markdown, { fallbackId: plan.plan_id }));
}

/**
 * The plan as the agent left it in the worktree; null when it is unchanged, or gone or no longer a
 * plan (the task keeps what it last recorded, and the reason is the caller's to report).
 */
export async function readBackPlan(
  worktree: string,
  recorded: TaskPlan,
  clock: Clock,
): Promise<{ plan: TaskPlan } | { plan: null; problem: string | null }> {
  try {
    const file = await readPlanFile(worktree, recorded.path, clock);
    const plan = toTaskPlan({ ...file, path: recorded.path });
    return plan.markdown === recorded.markdown ? { plan: null, problem: null } : { plan };
  } catch (error) {
    return { plan: null, problem: `${path.posix.normalize(recorded.path)}: ${(error as Error).message}` };
  }
}
