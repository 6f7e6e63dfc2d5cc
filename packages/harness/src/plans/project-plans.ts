import { access } from 'node:fs/promises';
import type { PlanUpdateParams } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError, systemClock } from '../core/index.js';
import { ExecPlan } from './exec-plan.js';
import {
  listPlanFiles,
  PLANS_DIR,
  type PlanFile,
  readPlanFile,
  resolvePlanPath,
  writePlanFile,
} from './plan-files.js';
import { applyPlanUpdate } from './plan-updates.js';

/**
 * The plans of projects, as files: what `exec_plan/*` and `harness plan` do. Updates to one file
 * are serialized in this process (read, change, write), so two concurrent updates both land.
 */
export class ProjectPlans {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** A new draft plan from a spec, written to `path` or `.agent/plans/<id>.md`; never over a file. */
  async init(root: string, spec: string, path?: string): Promise<PlanFile> {
    const plan = ExecPlan.fromSpec(spec, root, { clock: this.clock });
    const where = resolvePlanPath(
      root,
      path ?? `${PLANS_DIR}/${plan.id}.md`,
      path === undefined ? 'plan' : 'path',
    );
    return this.serialized(where.absolute, async () => {
      if (await exists(where.absolute)) {
        throw new HarnessError(ErrorCodes.conflict, `path: ${where.path} already exists; update it instead`);
      }
      await writePlanFile(where, plan);
      return { plan, ...where };
    });
  }

  async update(root: string, update: PlanUpdateParams): Promise<PlanFile> {
    const where = resolvePlanPath(root, update.plan);
    return this.serialized(where.absolute, async () => {
      const file = await readPlanFile(root, update.plan, this.clock);
      applyPlanUpdate(file.plan, update);
      await writePlanFile(file, file.plan);
      return file;
    });
  }

  status(root: string, ref: string): Promise<PlanFile> {
    return readPlanFile(root, ref, this.clock);
  }

  list(root: string): ReturnType<typeof listPlanFiles> {
    return listPlanFiles(root);
  }

  private serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
