import type { Command } from 'commander';
import { loadConfig, type HarnessConfig, type LoadConfigOptions } from '../../core/index.js';
import type { CommandIo } from '../command-io.js';

/**
 * What `harness rule` needs only for a project directory: the config (for `rules.exec_policy_paths`,
 * `rules.discovery_paths` and the data directory). rule.ts imports this file on demand, so checking
 * a command against a policy file loads neither the config schema (zod, TOML) nor the guard runner.
 */
interface GlobalOptions {
  config?: string;
  project?: string | string[];
}

export function ruleConfig(command: Command, io: CommandIo): HarnessConfig {
  const opts = command.optsWithGlobals<GlobalOptions>();
  const options: LoadConfigOptions = {
    projectFlags: opts.project === undefined ? [] : [opts.project].flat(),
    env: io.env,
    cwd: io.cwd,
  };
  if (io.home !== undefined) options.home = io.home;
  if (opts.config !== undefined) options.configPath = opts.config;
  return loadConfig(options).config;
}

export function configPolicyPaths(command: Command, io: CommandIo): string[] {
  return ruleConfig(command, io).rules.exec_policy_paths;
}
