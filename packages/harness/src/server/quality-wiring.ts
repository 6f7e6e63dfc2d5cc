import type { HarnessConfig, Logger, ProcessRunner } from '../core/index.js';
import { loadRuleCatalogue, type Rule } from '../guards/index.js';
import { collectMetrics, detectSignals, qualityReport, replayDraft } from '../quality/index.js';
import type { EventLog } from '../observe/index.js';
import type { Store } from '../store/index.js';
import type { GcWiring } from './gc-wiring.js';
import { guardConfinement } from './replay-sandbox.js';

/**
 * How the quality loop's parts reach each other in a running server: one rule source (the
 * project's catalogue: its own rule files, the user's, the machine's, `rules.discovery_paths` and
 * the built-in ones) for the pipeline's guard stage, the metrics and the replays; and GC's ports —
 * the signal detectors, the replay of a draft and the project's grade.
 */
export type RuleSource = (projectRoot: string) => Promise<ReadonlyMap<string, Rule>>;

export function ruleSourceFor(config: HarnessConfig): RuleSource {
  return async (projectRoot) =>
    (await loadRuleCatalogue({ projectRoot, discoveryPaths: config.rules.discovery_paths })).rules;
}

export function qualityGcWiring(o: {
  config: HarnessConfig;
  store: Store;
  events: EventLog;
  runner: ProcessRunner;
  logger: Logger;
  rules: RuleSource;
  clock: Parameters<typeof detectSignals>[3];
}): Required<Omit<GcWiring, 'drafter'>> {
  return {
    // As the original: the project is scanned first, so its open violations are today's.
    signals: async (project) => {
      await collectMetrics(o, project, 'gc').catch((error: unknown) => {
        o.logger.warn({ err: error, project: project.name }, 'the scan before GC failed; detecting anyway');
      });
      return detectSignals(o.store, project.name, o.config.gc.signal_thresholds, o.clock);
    },
    replay: async (draft, project) =>
      replayDraft(draft, {
        root: project.root,
        project: project.name,
        store: o.store,
        extraPolicyPaths: o.config.rules.exec_policy_paths,
        // A project whose rule files do not load still gets its draft tried, with built-in rules.
        rules: await o.rules(project.root).catch((error: unknown) => {
          o.logger.warn({ err: error, project: project.name }, 'rule catalogue did not load for a replay');
          return undefined;
        }),
        processes: o.runner,
        clock: o.clock,
        // A draft guard is agent-written code nobody has reviewed: it runs in bubblewrap, or not at all.
        confine: await guardConfinement(project.root),
      }),
    grade: async (project) => (await qualityReport(o.store, project.name, {})).quality.grade,
  };
}
