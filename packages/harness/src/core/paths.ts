import { homedir } from 'node:os';
import path from 'node:path';

/** Expands a leading `~` (alone or followed by a separator) to the user's home directory. */
export function expandHome(p: string, home: string = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

/** `$XDG_DATA_HOME/harness`, else `~/.local/share/harness`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'harness');
  return path.join(home, '.local', 'share', 'harness');
}

/** True when `child` is `parent` or lies below it, compared path component by component. */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
