import { execFileSync } from 'node:child_process';
import { aliasLookup, type GitAliasLookup } from '../shell/index.js';

export interface GitAliasSource {
  readonly cwd: string;
  /** The environment git reads its configuration with (HOME, XDG_CONFIG_HOME, GIT_CONFIG_*). */
  readonly env?: NodeJS.ProcessEnv;
}

const READ_TIMEOUT_MS = 5000;

/**
 * The git aliases a command run in `source.cwd` would see: `git config --get-regexp` runs once, on
 * the first lookup, so a command that names no alias never starts git.
 */
export function gitAliasLookup(source: GitAliasSource): GitAliasLookup {
  return aliasLookup(() => readAliasConfig(source));
}

function readAliasConfig(source: GitAliasSource): string | null {
  try {
    return execFileSync('git', ['config', '-z', '--get-regexp', '^alias\\.'], {
      cwd: source.cwd,
      env: source.env ?? process.env,
      encoding: 'utf8',
      timeout: READ_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (error) {
    // Exit status 1 is "no such key": no aliases at all. Anything else: unknown.
    return (error as { status?: number }).status === 1 ? '' : null;
  }
}
