import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ErrorCodes,
  type HarnessConfig,
  HarnessError,
  type LoadedConfig,
  loadConfig,
} from '../core/index.js';

export interface GlobalOptions {
  config?: string;
  project?: string[];
  json?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/**
 * Loads the effective config from the global flags. `--project name=path` registers a project;
 * a bare `--project NAME|PATH` selects one for commands that work on a project (see below).
 */
export function loadCliConfig(command: Command): LoadedConfig {
  const options = globalOptions(command);
  return loadConfig({
    ...(options.config === undefined ? {} : { configPath: options.config }),
    projectFlags: (options.project ?? []).filter((flag) => flag.includes('=')),
  });
}

/** The project a command should work in: the last `--project` given, by name or path; undefined if none. */
export function selectedProjectRoot(command: Command, config: HarnessConfig): string | undefined {
  const last = globalOptions(command).project?.at(-1);
  if (last === undefined) return undefined;
  const name = last.includes('=') ? last.slice(0, last.indexOf('=')) : last;
  const project = config.projects.find((p) => p.name === name);
  if (project) return project.root;
  const root = path.resolve(last);
  if (!existsSync(root)) {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `--project ${last}: no project of that name, and no such directory`,
    );
  }
  return root;
}
