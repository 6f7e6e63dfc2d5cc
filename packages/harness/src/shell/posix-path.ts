/**
 * POSIX path arithmetic on strings, so command analysis needs no `node:path`: the shell resolves
 * a command's relative paths against its working directory, which the caller always knows as an
 * absolute path. Same results as `path.posix` for those inputs; nothing here touches a filesystem.
 */

/** `a/./b/../c` → `a/c`; keeps a leading `/`; `..` above the root stays at the root. */
export function normalizePath(p: string): string {
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  if (absolute) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** `p` resolved against `base` (an absolute directory); an absolute `p` stands on its own. */
export function resolvePath(base: string, ...paths: readonly string[]): string {
  let result = base;
  for (const p of paths) result = p.startsWith('/') ? p : `${result}/${p}`;
  return normalizePath(result);
}

export function joinPath(...parts: readonly string[]): string {
  return normalizePath(parts.filter((p) => p !== '').join('/'));
}

/** The last component: `/usr/bin/git` → `git`, `dir/` → `dir`. */
export function baseName(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Everything but the last component: `/a/b` → `/a`, `/a` → `/`, `a` → `.`. */
export function dirName(p: string): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const slash = trimmed.lastIndexOf('/');
  if (slash < 0) return '.';
  if (slash === 0) return '/';
  return trimmed.slice(0, slash).replace(/\/+$/, '') || '/';
}
