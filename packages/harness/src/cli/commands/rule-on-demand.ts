import type { Command } from 'commander';
import { loadConfig, type LoadConfigOptions } from '../../core/index.js';
import type { CommandIo } from '../command-io.js';

/**
 * What `harness rule` needs only for a project directory: the config (for `rules.exec_policy_paths`)
 * and the guard scan. rule.ts imports this file on demand, so checking a command against a policy
 * file loads neither the config schema (zod, TOML) nor the guard runner.
 */
export { checkProject } from '../../policy/index.js';

interface GlobalOptions {
  config?: string;
  project?: string | string[];
}

export function configPolicyPaths(command: Command, io: CommandIo): string[] {
  const opts = command.optsWithGlobals<GlobalOptions>();
  const options: LoadConfigOptions = {
    projectFlags: opts.project === undefined ? [] : [opts.project].flat(),
    env: io.env,
    cwd: io.cwd,
  };
  if (io.home !== undefined) options.home = io.home;
  if (opts.config !== undefined) options.configPath = opts.config;
  return loadConfig(options).config.rules.exec_policy_paths;
}
