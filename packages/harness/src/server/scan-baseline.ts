import { ErrorCodes, HarnessError } from '../core/index.js';
import { collectMetrics, type MetricsDeps } from '../quality/index.js';
import type { ScanBaseline } from '../review/index.js';

/**
 * Preflight's baseline (review/preflight.ts) from the quality loop: the project's latest full scan
 * from the store, or a new one scanned and stored (trigger `preflight`) when it has none.
 */
export function scanBaseline(deps: MetricsDeps): ScanBaseline {
  return {
    async latest(project) {
      const scan = await deps.store.scans.latestFull(project);
      return scan && { scan_id: scan.id, ...scan };
    },
    async scan(project) {
      const collected = await collectMetrics(deps, project, 'preflight');
      const scan = await deps.store.scans.latestFull(project.name);
      if (scan === null || scan.id !== collected.scan.id)
        throw new HarnessError(ErrorCodes.internal, `preflight: the scan of ${project.name} was not stored`);
      return { scan_id: scan.id, ...scan };
    },
  };
}
