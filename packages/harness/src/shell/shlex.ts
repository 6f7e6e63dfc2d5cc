/**
 * POSIX word splitting without expansions, as Python's `shlex.split` / Rust's `shlex` do it. Used
 * for `match`/`not_match` string examples, where a policy author writes a command the way they
 * would type it; the full shell parser (shell-parser.ts) is for commands agents actually run.
 */
export class ShlexError extends Error {}

const DQUOTE_ESCAPABLE = new Set(['$', '`', '"', '\\', '\n']);

export function shlexSplit(input: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('invalid shell syntax: unterminated single quote');
      current += input.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      const [text, next] = readDoubleQuoted(input, i + 1);
      current += text;
      i = next;
    } else if (ch === '\\') {
      if (i + 1 >= input.length) throw new ShlexError('invalid shell syntax: trailing backslash');
      current += input[i + 1];
      i += 2;
    } else {
      // Copy the run of ordinary characters at once: most example words are nothing else.
      const end = plainRunEnd(input, i + 1);
      current += input.slice(i, end);
      i = end;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** The index of the first character at or after `i` that ends or changes a plain run. */
function plainRunEnd(input: string, i: number): number {
  for (; i < input.length; i++) {
    const c = input.charCodeAt(i);
    // space, tab, newline, carriage return, ', ", backslash
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 39 || c === 34 || c === 92) return i;
  }
  return i;
}

function readDoubleQuoted(input: string, start: number): [string, number] {
  let text = '';
  let i = start;
  while (i < input.length) {
    const ch = input[i] as string;
    if (ch === '"') return [text, i + 1];
    if (ch === '\\' && i + 1 < input.length && DQUOTE_ESCAPABLE.has(input[i + 1] as string)) {
      text += input[i + 1];
      i += 2;
      continue;
    }
    text += ch;
    i++;
  }
  throw new ShlexError('invalid shell syntax: unterminated double quote');
}

/** The inverse, for messages: quote only what needs quoting. */
export function shlexJoin(words: readonly string[]): string {
  return words.map(quoteWord).join(' ');
}

function quoteWord(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}
