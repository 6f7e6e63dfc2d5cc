import type { CommandOrigin, SimpleCommand, Word } from './shell-words.js';

/** What the word reader needs from the parser: the cursor and the ability to parse nested commands. */
export interface WordCursor {
  readonly src: string;
  pos: number;
  problem(message: string): void;
  nestedList(origin: CommandOrigin): boolean;
  nestedScript(script: string, origin: CommandOrigin, keep?: (command: SimpleCommand) => boolean): void;
}

const META = new Set([' ', '\t', '\n', '\r', ';', '&', '|', '<', '>', '(', ')']);
const DQ_ESCAPABLE = new Set(['$', '`', '"', '\\']);
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '$', '!', '-']);

interface Piece {
  text: string;
  dynamic: boolean;
}

/** Reads one word at the cursor (quote removal applied); undefined when the cursor is on an operator. */
export function readWord(c: WordCursor): Word | undefined {
  const start = c.pos;
  let text = '';
  let dynamic = false;
  while (c.pos < c.src.length) {
    const ch = c.src[c.pos] as string;
    if (META.has(ch)) break;
    // Copy a run of ordinary characters at once: most words are nothing else.
    const end = plainRunEnd(c.src, c.pos);
    if (end > c.pos) {
      text += c.src.slice(c.pos, end);
      c.pos = end;
      continue;
    }
    const piece = readPiece(c, ch, c.pos === start);
    text += piece.text;
    dynamic ||= piece.dynamic;
  }
  if (c.pos === start) return undefined;
  return { text, dynamic, raw: c.src.slice(start, c.pos) };
}

// Characters that end a word (META) or that readPiece does more with than copy (quoting,
// expansions, globs); every other character is copied as it is.
const NOT_PLAIN = new Uint8Array(128);
for (const ch of [...META, '\\', "'", '"', '$', '`', '*', '?', '[', '{']) NOT_PLAIN[ch.charCodeAt(0)] = 1;

/** The index of the first character at or after `i` that is not copied as it is. */
function plainRunEnd(src: string, i: number): number {
  for (; i < src.length; i++) {
    const code = src.charCodeAt(i);
    if (code < 128 && NOT_PLAIN[code] === 1) return i;
  }
  return i;
}

function readPiece(c: WordCursor, ch: string, atStart: boolean): Piece {
  switch (ch) {
    case '\\': {
      const next = c.src[c.pos + 1];
      c.pos += next === undefined ? 1 : 2;
      if (next === '\n') return { text: '', dynamic: false };
      return { text: next ?? '\\', dynamic: false };
    }
    case "'": {
      const end = c.src.indexOf("'", c.pos + 1);
      if (end < 0) {
        c.problem('unterminated single quote');
        const text = c.src.slice(c.pos + 1);
        c.pos = c.src.length;
        return { text, dynamic: false };
      }
      const text = c.src.slice(c.pos + 1, end);
      c.pos = end + 1;
      return { text, dynamic: false };
    }
    case '"':
      c.pos++;
      return readDoubleQuoted(c);
    case '$':
      return readDollar(c, false);
    case '`':
      return readBacktick(c);
    case '*':
    case '?':
      c.pos++;
      return { text: ch, dynamic: true };
    case '[':
    case '{':
      return readBracket(c, ch);
    default:
      void atStart;
      c.pos++;
      return { text: ch, dynamic: false };
  }
}

/** `[` is a glob only with a closing `]`; `{a,b}` and `{1..3}` are brace expansions. */
function readBracket(c: WordCursor, ch: string): Piece {
  const close = ch === '[' ? ']' : '}';
  let j = c.pos + 1;
  while (j < c.src.length && !META.has(c.src[j] as string) && c.src[j] !== close) j++;
  c.pos++;
  if (c.src[j] !== close) return { text: ch, dynamic: false };
  const body = c.src.slice(c.pos - 1, j + 1);
  const dynamic = ch === '[' ? body.length > 2 : /,|\.\./.test(body);
  return { text: ch, dynamic };
}

function readDoubleQuoted(c: WordCursor): Piece {
  let text = '';
  let dynamic = false;
  while (c.pos < c.src.length) {
    const ch = c.src[c.pos] as string;
    if (ch === '"') {
      c.pos++;
      return { text, dynamic };
    }
    if (ch === '\\') {
      const next = c.src[c.pos + 1];
      if (next === '\n') c.pos += 2;
      else if (next !== undefined && DQ_ESCAPABLE.has(next)) {
        text += next;
        c.pos += 2;
      } else {
        text += ch;
        c.pos++;
      }
    } else if (ch === '$' || ch === '`') {
      const piece = ch === '$' ? readDollar(c, true) : readBacktick(c);
      text += piece.text;
      dynamic ||= piece.dynamic;
    } else {
      text += ch;
      c.pos++;
    }
  }
  c.problem('unterminated double quote');
  return { text, dynamic };
}

function readDollar(c: WordCursor, inDouble: boolean): Piece {
  const start = c.pos;
  const next = c.src[c.pos + 1];
  if (next === "'" && !inDouble) {
    c.pos += 2;
    return readAnsiC(c);
  }
  if (next === '"' && !inDouble) {
    c.pos += 2;
    return readDoubleQuoted(c);
  }
  if (next === '(') {
    if (c.src[c.pos + 2] === '(') {
      const end = skipParens(c.src, c.pos + 2, 1);
      const body = c.src.slice(c.pos + 3, end < 0 ? c.src.length : end);
      if (end < 0) c.problem('unterminated arithmetic expansion');
      if (/\$\(|`/.test(body)) c.problem('command substitution inside arithmetic');
      c.pos = end < 0 ? c.src.length : end;
      return { text: c.src.slice(start, c.pos), dynamic: true };
    }
    c.pos += 2;
    if (!c.nestedList('substitution')) c.problem('unterminated command substitution `$(`');
    return { text: c.src.slice(start, c.pos), dynamic: true };
  }
  if (next === '{') return readParameterBraces(c);
  if (next !== undefined && /[A-Za-z_]/.test(next)) {
    let j = c.pos + 1;
    while (j < c.src.length && /[A-Za-z0-9_]/.test(c.src[j] as string)) j++;
    c.pos = j;
    return { text: c.src.slice(start, j), dynamic: true };
  }
  if (next !== undefined && (/[0-9]/.test(next) || SPECIAL_PARAMS.has(next))) {
    c.pos += 2;
    return { text: c.src.slice(start, c.pos), dynamic: true };
  }
  c.pos++;
  return { text: '$', dynamic: false };
}

function readParameterBraces(c: WordCursor): Piece {
  const start = c.pos;
  let depth = 0;
  let j = c.pos + 1;
  for (; j < c.src.length; j++) {
    const ch = c.src[j];
    if (ch === '\\') j++;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) break;
  }
  if (j >= c.src.length) {
    c.problem('unterminated parameter expansion `${`');
    c.pos = c.src.length;
    return { text: c.src.slice(start), dynamic: true };
  }
  const body = c.src.slice(start + 2, j);
  c.pos = j + 1;
  if (/\$\(|`/.test(body)) {
    // `${x:-$(cmd)}`: the substitution still runs; keep its commands, not the operator text.
    c.problem('command substitution inside `${…}`');
    c.nestedScript(body, 'command', (command) => command.origin !== 'command');
  }
  return { text: c.src.slice(start, c.pos), dynamic: true };
}

function readBacktick(c: WordCursor): Piece {
  const start = c.pos;
  let body = '';
  let j = c.pos + 1;
  for (; j < c.src.length; j++) {
    const ch = c.src[j] as string;
    if (ch === '`') break;
    if (ch === '\\' && j + 1 < c.src.length && '$`\\'.includes(c.src[j + 1] as string)) {
      body += c.src[j + 1];
      j++;
    } else body += ch;
  }
  if (j >= c.src.length) {
    c.problem('unterminated backtick substitution');
    c.pos = c.src.length;
  } else c.pos = j + 1;
  c.nestedScript(body, 'substitution');
  return { text: c.src.slice(start, c.pos), dynamic: true };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** `$'…'` (ANSI-C quoting): escapes are decoded, so `$'\x72m'` is the word `rm`. */
function readAnsiC(c: WordCursor): Piece {
  let text = '';
  while (c.pos < c.src.length) {
    const ch = c.src[c.pos] as string;
    if (ch === "'") {
      c.pos++;
      return { text, dynamic: false };
    }
    if (ch !== '\\') {
      text += ch;
      c.pos++;
      continue;
    }
    const rest = c.src.slice(c.pos + 1);
    const m = /^(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.)/.exec(rest);
    if (m) {
      const esc = m[1] as string;
      text += decodeNumericEscape(esc);
      c.pos += 1 + esc.length;
    } else {
      const e = rest[0];
      text += e === undefined ? '\\' : (SIMPLE_ESCAPES[e] ?? `\\${e}`);
      c.pos += e === undefined ? 1 : 2;
    }
  }
  c.problem("unterminated $'…' string");
  return { text, dynamic: false };
}

function decodeNumericEscape(esc: string): string {
  const kind = esc[0] as string;
  if (kind === 'c') return String.fromCharCode((esc.charCodeAt(1) & 0x1f) >>> 0);
  const code = kind === 'x' || kind === 'u' || kind === 'U' ? parseInt(esc.slice(1), 16) : parseInt(esc, 8);
  return code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

/** Index just past the `)` that closes `open` already-open parentheses, or -1. */
export function skipParens(src: string, from: number, open: number): number {
  let depth = open;
  for (let j = from; j < src.length; j++) {
    if (src[j] === '(') depth++;
    else if (src[j] === ')' && --depth === 0) return j + 1;
  }
  return -1;
}
