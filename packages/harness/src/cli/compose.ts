import { AgentRegistry } from '../agents/index.js';
import type { HarnessConfig, Logger } from '../core/index.js';
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
      config,
      store,
      logger,
      agents: AgentRegistry.fromConfig(config.agents, logger),
      ...(options.projectRoot ? { projectRoot: options.projectRoot } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
}
