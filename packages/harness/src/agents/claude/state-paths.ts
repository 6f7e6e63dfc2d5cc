import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What Claude Code must be able to write whatever the sandbox mode: its config directory
 * (`~/.claude`: sessions, so a turn can be resumed) and its config file (`~/.claude.json`), or
 * `$CLAUDE_CONFIG_DIR` when set. Only these are bound writable, never the whole home: a writable
 * HOME would let the agent plant a `~/.gitconfig` alias or hook that Harness's own git, running
 * outside the sandbox with the same HOME, would then obey.
 */
export function claudeStatePaths(env: Record<string, string>): string[] {
  const configDir = env.CLAUDE_CONFIG_DIR;
  if (configDir !== undefined && configDir !== '') {
    mkdirSync(configDir, { recursive: true });
    return [configDir];
  }
  const home = env.HOME;
  if (home === undefined || home === '') return [];
  const dir = path.join(home, '.claude');
  const file = path.join(home, '.claude.json');
  mkdirSync(dir, { recursive: true });
  // bubblewrap can only bind what exists; an empty object is what the CLI would start from.
  try {
    writeFileSync(file, '{}\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return [dir, file];
}
