import os from 'node:os';
import { AgentRegistry, ModelGateway } from '../agents/index.js';
import {
  type HarnessConfig,
  type Logger,
  createGit,
  createProcessRunner,
  systemClock,
} from '../core/index.js';
import { agentsMdSettingsFrom } from '../context/index.js';
import { GithubClient, githubClientOptionsFromConfig } from '../github/index.js';
import { Harness, type HarnessPorts } from '../server/index.js';
import { openStore } from './open-store.js';

export interface ComposeOptions {
  dataDir?: string;
  projectRoot?: string;
  /** The config file the config came from: hidden from sandboxed agents, as the data directory is. */
  configFile?: string | null;
  /** False for a one-shot command: see `HarnessOptions.runsTasks`. */
  runsTasks?: boolean;
}

/**
 * The ports the platform talks to the world through, built once per process: one process runner,
 * one git on it, one GitHub client from `[github]`, the system clock and the given logger.
 */
export function createPorts(config: HarnessConfig, logger: Logger): HarnessPorts {
  const runner = createProcessRunner();
  return {
    runner,
    git: createGit({ runner }),
    github: new GithubClient({ ...githubClientOptionsFromConfig(config), logger }),
    clock: systemClock,
    logger,
  };
}

/**
 * Builds the running platform from the effective config: store (SQLite in the data directory, or
 * the PostgreSQL database a fleet shares), the model gateway (agents reach
 * their model through it; the real keys stay in this process), agents, policy, services.
 */
export async function composeHarness(
  config: HarnessConfig,
  logger: Logger,
  options: ComposeOptions = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? config.server.data_dir;
  const { store, description } = await openStore(config, dataDir);
  logger.info({ store: description }, `store: ${description}`);
  const hiddenPaths = [dataDir, ...(options.configFile ? [options.configFile] : [])];
  const gateway = await ModelGateway.start({ logger });
  const ports = createPorts(config, logger);
  try {
    return await Harness.start({
      config,
      store,
      ports,
      agents: AgentRegistry.fromConfig(config.agents, logger, {
        gateway,
        hiddenPaths,
        processRunner: ports.runner,
        agentsMd: agentsMdSettingsFrom(config.agents_md, process.env),
      }),
      ...(options.projectRoot ? { projectRoot: options.projectRoot } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.runsTasks === false ? { runsTasks: false } : {}),
      skillHomes: { home: os.homedir(), codexHome: process.env.CODEX_HOME ?? null },
    });
  } catch (error) {
    await gateway.close();
    await store.close();
    throw error;
  }
}
