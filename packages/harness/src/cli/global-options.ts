import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../core/index.js';

export interface GlobalOptions {
  config?: string;
  project?: string[];
  json?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Loads the effective config from the global `--config` and `--project` flags. */
export function loadCliConfig(command: Command): LoadedConfig {
  const options = globalOptions(command);
  return loadConfig({
    ...(options.config === undefined ? {} : { configPath: options.config }),
    projectFlags: options.project ?? [],
  });
}
