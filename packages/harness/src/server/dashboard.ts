import type { MethodResult } from '@harness/protocol';
import { qualityReport } from '../quality/index.js';
import type { Store } from '../store/index.js';
import type { TaskService } from '../tasks/index.js';

/**
 * The task dashboard with the event-based quality grade, global and per project: what
 * `dashboard/get` and `GET /api/dashboard` both answer.
 */
export async function dashboardWithGrades(
  tasks: TaskService,
  store: Store,
): Promise<MethodResult<'dashboard/get'>> {
  const base = await tasks.dashboard();
  const names = base.projects.map((p) => p.name);
  const grades = await Promise.all(names.map((name) => qualityReport(store, name, {})));
  return {
    global: { ...base.global, quality: (await qualityReport(store, null, {}, names)).quality },
    projects: base.projects.map((p, i) => ({ ...p, quality: grades[i]?.quality })),
  };
}
