import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectCheckResult } from '@harness/protocol';
import type { Command } from 'commander';
import { silentLogger, systemClock } from '../../core/index.js';
import { EventLog } from '../../observe/index.js';
import { checkProject, projectContext } from '../../policy/index.js';
import { ProjectRegistry } from '../../projects/index.js';
import { recordScan } from '../../quality/index.js';
import type { CommandIo } from '../command-io.js';
import { openStore } from '../open-store.js';
import { ruleConfig } from './rule-on-demand.js';

/**
 * `harness rule check DIR` as a project scan: the catalogue from the project, `~/.harness/rules`,
 * `/etc/harness/rules` and `rules.discovery_paths`, every guard, `--fix`, and the scan stored in
 * the server's store (SQLite in the data directory, or the fleet's PostgreSQL) under the registered project whose root DIR
 * is, else under DIR's name. Loaded on demand by rule.ts, so command checks never open the store.
 */
export interface ScanCommandOptions {
  readonly files?: readonly string[];
  readonly fix: boolean;
  readonly guardTimeoutMs: number;
  readonly dataDir?: string;
}

export async function scanProjectCommand(
  target: string,
  options: ScanCommandOptions,
  command: Command,
  io: CommandIo,
): Promise<ProjectCheckResult> {
  const config = ruleConfig(command, io);
  const { store } = await openStore(config, options.dataDir ?? config.server.data_dir);
  try {
    const events = new EventLog(store, silentLogger);
    const projects = new ProjectRegistry(config, store, systemClock);
    const ctx = projectContext(
      {
        extraPolicyPaths: config.rules.exec_policy_paths,
        guardTimeoutMs: options.guardTimeoutMs,
        catalogue: {
          discoveryPaths: config.rules.discovery_paths,
          ...(io.home === undefined ? {} : { home: io.home }),
        },
        authorize: async (root) => {
          const real = await realpath(root);
          for (const project of await projects.list()) {
            const projectRoot = await realpath(project.root).catch(() => null);
            if (projectRoot === real) return { project: project.name, root };
          }
          return { project: path.basename(real), root };
        },
        record: async (input) => (await recordScan({ store, events }, { ...input, trigger: 'cli' })).id,
      },
      options.fix,
    );
    return await checkProject(path.resolve(io.cwd, target), options.files, ctx);
  } finally {
    await store.close();
  }
}
