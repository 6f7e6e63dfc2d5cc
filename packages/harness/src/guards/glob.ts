/**
 * The globs of a rule's `paths`, matched against paths relative to the project root with `/`
 * separators: `**` crosses directories, `*` and `?` do not, `{a,b}` picks one. A glob without a
 * `/` matches the file name in any directory (`*.rs` is `**\/*.rs`), as gitignore does, because
 * that is what people mean by it in a rule file.
 */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob.includes('/') ? glob.replace(/^\.?\//, '') : `**/${glob}`;
  return new RegExp(`^${translate(pattern)}$`);
}

function translate(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` is zero or more whole directories; a trailing `**` is anything.
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 3 : 2;
      continue;
    }
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) out += '\\{';
      else {
        const options = glob.slice(i + 1, end).split(',');
        out += `(?:${options.map(translate).join('|')})`;
        i = end;
      }
    } else out += c.replace(/[.+^$()|[\]\\}]/g, '\\$&');
    i += 1;
  }
  return out;
}

/** True when `file` matches one of `globs`; no globs means every file. */
export function matchesAny(file: string, globs: readonly RegExp[]): boolean {
  return globs.length === 0 || globs.some((glob) => glob.test(file));
}
