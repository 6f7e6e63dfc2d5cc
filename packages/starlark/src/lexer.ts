import { StarlarkError } from './errors.js';
import type { Limits } from './limits.js';
import type { Token } from './tokens.js';
import { encodeRune, encodeUtf8 } from './utf8.js';

const KEYWORDS: ReadonlySet<string> = new Set([
  'and',
  'break',
  'continue',
  'elif',
  'else',
  'for',
  'if',
  'in',
  'not',
  'or',
  'pass',
  'return',
]);
/** Keywords of full Starlark that this dialect forbids anywhere, even as names. */
// A Map, not an object: identifiers such as `toString` or `constructor` must not find prototype members.
const FORBIDDEN: ReadonlyMap<string, string> = new Map([
  ['def', 'def statements are not allowed in this dialect (no user-defined functions)'],
  ['lambda', 'lambda expressions are not allowed in this dialect (no user-defined functions)'],
  ['load', 'load statements are not allowed in this dialect (no module loading)'],
  ['while', 'while loops are not allowed in this dialect'],
]);
const RESERVED: ReadonlySet<string> = new Set([
  'as',
  'assert',
  'async',
  'await',
  'class',
  'del',
  'except',
  'finally',
  'from',
  'global',
  'import',
  'is',
  'nonlocal',
  'raise',
  'try',
  'with',
  'yield',
]);
const PUNCT3: ReadonlySet<string> = new Set(['//=', '<<=', '>>=', '**=']);
const PUNCT2: ReadonlySet<string> = new Set([
  '==',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '//',
  '<<',
  '>>',
  '**',
  '->',
]);
const PUNCT1 = '()[]{},;:.+-*/%&|^~<>=';
/** Characters that can follow the first character of a multi-character operator. */
const PUNCT_SECOND: ReadonlySet<string> = new Set(['=', '/', '<', '>', '*', '-']);
// Sticky, so matching starts at lastIndex without copying the rest of the source.
const NUMBER = /0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
// Runs of blanks, identifier characters and plain string characters are found by sticky regexes:
// a policy is loaded once per process, mostly before the JIT has compiled the lexer, and a regex
// scans a run in native code where a JS loop would interpret a few bytecodes per character.
const BLANKS = /[ \t\r]+/y;
const IDENT_REST = /[A-Za-z0-9_\u0080-\uffff]*/y;
const STRING_RUN = /[^\\\n'"]*/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Tokenizes a whole file up front so a forbidden keyword anywhere is reported before parsing. */
export function tokenize(src: string, filename: string, limits: Limits): Token[] {
  return new Lexer(src, filename, limits).run();
}

class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  private readonly indents = [0];
  private readonly out: Token[] = [];

  constructor(
    private readonly src: string,
    private readonly filename: string,
    private readonly limits: Limits,
  ) {}

  private error(msg: string, line = this.line, col = this.pos - this.lineStart + 1): never {
    throw new StarlarkError('syntax', msg, { filename: this.filename, line, column: col });
  }

  private push(kind: string, value: Token['value'], line: number, col: number): void {
    this.out.push({ kind, value, line, col });
  }

  run(): Token[] {
    let atLineStart = true;
    while (this.pos < this.src.length) {
      if (atLineStart && this.depth === 0) {
        if (this.indentation()) continue;
      }
      atLineStart = false;
      const c = this.src[this.pos]!;
      if (c === '\n') {
        this.newline();
        atLineStart = true;
      } else if (c === ' ' || c === '\t' || c === '\r') this.pos = runEnd(BLANKS, this.src, this.pos);
      else if (c === '#') this.skipComment();
      else if (c === '\\') this.continuation();
      else this.token(c);
    }
    this.finish();
    return this.out;
  }

  private newline(): void {
    if (this.depth === 0 && this.out.length > 0 && this.out[this.out.length - 1]!.kind !== 'newline') {
      this.push('newline', null, this.line, this.pos - this.lineStart + 1);
    }
    this.pos++;
    this.line++;
    this.lineStart = this.pos;
  }

  private skipComment(): void {
    while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
  }

  private continuation(): void {
    if (this.src[this.pos + 1] === '\n') {
      this.pos += 2;
      this.line++;
      this.lineStart = this.pos;
    } else if (this.src[this.pos + 1] === '\r' && this.src[this.pos + 2] === '\n') {
      this.pos += 3;
      this.line++;
      this.lineStart = this.pos;
    } else this.error('stray backslash in program');
  }

  /** Measures a line's indentation; returns true when the line was blank (consumed). */
  private indentation(): boolean {
    let width = 0;
    let p = this.pos;
    for (; p < this.src.length; p++) {
      const c = this.src[p];
      if (c === ' ') width++;
      else if (c === '\t') width += 8 - (width % 8);
      else if (c !== '\r') break;
    }
    const c = this.src[p];
    if (p >= this.src.length || c === '\n' || c === '#') {
      while (p < this.src.length && this.src[p] !== '\n') p++;
      this.pos = p;
      if (p < this.src.length) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      }
      return true;
    }
    this.pos = p;
    const col = p - this.lineStart + 1;
    const top = this.indents[this.indents.length - 1]!;
    if (width > top) {
      this.indents.push(width);
      this.push('indent', null, this.line, col);
    } else if (width < top) {
      while (width < this.indents[this.indents.length - 1]!) {
        this.indents.pop();
        this.push('outdent', null, this.line, col);
      }
      if (width !== this.indents[this.indents.length - 1]) {
        this.error('unindent does not match any outer indentation level');
      }
    }
    return false;
  }

  private finish(): void {
    let line = this.line;
    let col = this.pos - this.lineStart + 1;
    if (this.depth === 0 && this.out.length > 0 && this.out[this.out.length - 1]!.kind !== 'newline') {
      this.push('newline', null, line, col);
    }
    // Report end of file on the last line that has text, as starlark-go does.
    if (this.src.endsWith('\n') && line > 1) {
      line--;
      col = this.src.length - 1 - this.src.lastIndexOf('\n', this.src.length - 2);
    }
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push('outdent', null, line, col);
    }
    this.push('eof', null, line, col);
  }

  private token(c: string): void {
    const line = this.line;
    const col = this.pos - this.lineStart + 1;
    if (isIdentStart(c)) return this.word(line, col);
    if (isDigit(c) || (c === '.' && isDigit(this.src[this.pos + 1] ?? ''))) return this.number(line, col);
    if (c === '"' || c === "'") return this.string(line, col, false, false);
    const p = this.operator(c);
    if (p !== null) return this.punct(p, line, col);
    this.error(`invalid character ${JSON.stringify(c)} in program`);
  }

  /** The longest operator at the current position, without allocating substrings. */
  private operator(c: string): string | null {
    const n1 = this.src[this.pos + 1];
    if (n1 === undefined || !PUNCT_SECOND.has(n1)) return PUNCT1.includes(c) ? c : null;
    const two = c + n1;
    if (PUNCT2.has(two)) {
      if (this.src[this.pos + 2] === '=' && PUNCT3.has(two + '=')) return two + '=';
      return two;
    }
    return PUNCT1.includes(c) ? c : null;
  }

  private punct(p: string, line: number, col: number): void {
    if (p === '(' || p === '[' || p === '{') {
      this.depth++;
      if (this.depth > this.limits.maxNestingDepth)
        this.error(`brackets nested too deeply (limit ${this.limits.maxNestingDepth})`);
    } else if (p === ')' || p === ']' || p === '}') {
      if (this.depth === 0) this.error(`unexpected '${p}'`, line, col);
      this.depth--;
    }
    this.pos += p.length;
    this.push(p, null, line, col);
  }

  private word(line: number, col: number): void {
    const end = runEnd(IDENT_REST, this.src, this.pos + 1);
    const w = this.src.slice(this.pos, end);
    const q = this.src[end];
    if ((q === '"' || q === "'") && /^(r|b|rb|br)$/i.test(w)) {
      this.pos = end;
      return this.string(line, col, /r/i.test(w), /b/i.test(w));
    }
    this.pos = end;
    const forbidden = FORBIDDEN.get(w);
    if (forbidden !== undefined) this.error(forbidden, line, col);
    if (RESERVED.has(w)) this.error(`keyword ${w} is reserved`, line, col);
    if (KEYWORDS.has(w)) this.push(w, null, line, col);
    else this.push('ident', w, line, col);
  }

  private number(line: number, col: number): void {
    NUMBER.lastIndex = this.pos;
    const text = NUMBER.exec(this.src)?.[0] ?? '';
    this.pos += text.length;
    if (text.length > 3000) this.error('int literal too large', line, col);
    if (/^0[xXoObB]/.test(text)) {
      this.push('int', BigInt(text.toLowerCase()), line, col);
    } else if (/[.eE]/.test(text)) {
      const v = Number(text);
      if (!Number.isFinite(v)) this.error(`floating-point literal out of range`, line, col);
      this.push('float', v, line, col);
    } else {
      if (text.length > 1 && text[0] === '0') {
        if (/^0+$/.test(text)) return this.push('int', 0n, line, col);
        this.error(
          `invalid int literal ${text}: obsolete form of octal literal; use 0o${text.slice(1)}`,
          line,
          col,
        );
      }
      this.push('int', BigInt(text), line, col);
    }
  }

  private string(line: number, col: number, raw: boolean, bytes: boolean): void {
    const q = this.src[this.pos]!;
    const triple = this.src.startsWith(q + q + q, this.pos);
    this.pos += triple ? 3 : 1;
    let out = '';
    for (;;) {
      if (this.pos >= this.src.length) this.error('unexpected EOF in string', line, col);
      const c = this.src[this.pos]!;
      if (c === q && (!triple || this.src.startsWith(q + q + q, this.pos))) {
        this.pos += triple ? 3 : 1;
        break;
      }
      if (c === '\n') {
        if (!triple) this.error('unexpected newline in string', line, col);
        out += '\n';
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        continue;
      }
      if (c === '\\') {
        out += this.escape(raw, bytes);
        continue;
      }
      const end = runEnd(STRING_RUN, this.src, this.pos + 1);
      out += encodeUtf8(this.src.slice(this.pos, end));
      this.pos = end;
    }
    this.push(bytes ? 'bytes' : 'string', out, line, col);
  }

  private escape(raw: boolean, bytes: boolean): string {
    const n = this.src[this.pos + 1];
    if (n === undefined) this.error('unexpected EOF in string');
    if (n === '\n') {
      this.pos += 2;
      this.line++;
      this.lineStart = this.pos;
      return raw ? '\\\n' : '';
    }
    if (raw) {
      this.pos += 2;
      return n === '\\' || n === "'" || n === '"' ? '\\' + n : '\\' + encodeUtf8(n);
    }
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (n >= '0' && n <= '7') {
      const m = /^[0-7]{1,3}/.exec(this.src.slice(this.pos + 1, this.pos + 4))![0];
      const v = parseInt(m, 8);
      if (v > 255) this.error(`invalid escape sequence \\${m}`);
      this.pos += 1 + m.length;
      return bytes || v < 128
        ? String.fromCharCode(v)
        : this.error(
            `non-ASCII octal escape \\${m} (use \\u${v.toString(16).padStart(4, '0')} for the UTF-8 encoding of U+${v.toString(16).toUpperCase().padStart(4, '0')})`,
          );
    }
    if (n === 'x') {
      const h = this.src.slice(this.pos + 2, this.pos + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) this.error(`invalid escape sequence \\x${h}`);
      const v = parseInt(h, 16);
      if (!bytes && v > 127)
        this.error(
          `non-ASCII hex escape \\x${h} (use \\u00${h} for the UTF-8 encoding of U+00${h.toUpperCase()})`,
        );
      this.pos += 4;
      return String.fromCharCode(v);
    }
    if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      const h = this.src.slice(this.pos + 2, this.pos + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) this.error(`invalid escape sequence \\${n}${h}`);
      const v = parseInt(h, 16);
      if (v > 0x10ffff) this.error(`code point out of range: \\${n}${h} (max \\U0010ffff)`);
      if (v >= 0xd800 && v < 0xe000) this.error(`invalid Unicode code point U+${h.toUpperCase()}`);
      this.pos += 2 + len;
      return encodeRune(v);
    }
    this.error(`invalid escape sequence \\${n}`);
  }
}

/** Where the run that `re` (sticky) matches at `from` ends. */
function runEnd(re: RegExp, src: string, from: number): number {
  re.lastIndex = from;
  re.test(src);
  return re.lastIndex;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\x7f';
}
