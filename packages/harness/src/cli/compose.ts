import { AgentRegistry } from '../agents/index.js';
import { type HarnessConfig, type Logger, agentNames, defaultProject } from '../core/index.js';
import { Harness } from '../server/index.js';
import { SqliteStore } from '../store/index.js';

export interface ComposeOptions {
  dataDir?: string;
  projectRoot?: string;
}

/** Builds the running platform from the effective config: store, agents, policy, services. */
export async function composeHarness(
  config: HarnessConfig,
  logger: Logger,
  options: ComposeOptions = {},
): Promise<Harness> {
  const store = SqliteStore.open(options.dataDir ?? config.server.data_dir);
  try {
    return await Harness.start({
      store,
      logger,
      projectRoot: options.projectRoot ?? defaultProject(config)?.root ?? config.server.project_root,
      allowedProjectRoots: config.server.allowed_project_roots,
      knownAgents: agentNames,
      logRetentionDays: config.observe.log_retention_days,
      agents: AgentRegistry.fromConfig(config.agents, logger),
      policyPaths: config.rules.exec_policy_paths,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
}
