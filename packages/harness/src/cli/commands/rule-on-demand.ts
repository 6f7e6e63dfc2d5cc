import path from 'node:path';
import type { RuleLoadResult } from '@harness/protocol';
import type { Command } from 'commander';
import { loadConfig, type HarnessConfig, type LoadConfigOptions } from '../../core/index.js';
import { loadRuleCatalogue } from '../../guards/index.js';
import { describeCatalogue } from '../../policy/index.js';
import type { CommandIo } from '../command-io.js';

/**
 * What `harness rule` needs only for a project directory: the config (for `rules.exec_policy_paths`,
 * `rules.discovery_paths` and the data directory) and the rule catalogue. rule.ts imports this file
 * on demand, so checking a command against a policy file loads neither the config schema (zod,
 * TOML) nor the catalogue.
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

/** The project's rule catalogue as `rule/load` lists it (project, user, admin, configured, built-in). */
export async function ruleCatalogue(
  root: string,
  command: Command,
  io: CommandIo,
): Promise<Pick<RuleLoadResult, 'rules_count' | 'rules' | 'shadowed'>> {
  const catalogue = await loadRuleCatalogue({
    projectRoot: path.resolve(io.cwd, root),
    discoveryPaths: ruleConfig(command, io).rules.discovery_paths,
    ...(io.home === undefined ? {} : { home: io.home }),
  });
  return describeCatalogue(catalogue);
}
