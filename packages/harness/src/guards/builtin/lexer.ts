/**
 * A line scanner's view of a source file: each line as written, without its comments (`text`),
 * and without comments or string contents (`code`), columns kept. It knows each language's line
 * and block comments and its string quotes (template literals, Python's triple quotes, Go's raw
 * strings span lines) — as much as a guard that reads lines can know, which is what lets `eval(`
 * in a comment or a string go unreported.
 */
export interface SourceLine {
  /** 1-based. */
  readonly number: number;
  readonly raw: string;
  /** Comments blanked, strings kept. */
  readonly text: string;
  /** Comments and the contents of strings blanked; the quotes stay. */
  readonly code: string;
}

interface Syntax {
  readonly line: readonly string[];
  readonly block: readonly (readonly [string, string])[];
  /** Quotes, longest first; `multiline` ones may span lines. */
  readonly quotes: readonly {
    readonly open: string;
    readonly multiline: boolean;
    readonly escapes: boolean;
  }[];
  /** JavaScript's `/regex/` literals. */
  readonly regex?: boolean;
}

const cLike: Syntax = {
  line: ['//'],
  block: [['/*', '*/']],
  quotes: [
    { open: '`', multiline: true, escapes: true },
    { open: '"', multiline: false, escapes: true },
    { open: "'", multiline: false, escapes: true },
  ],
};
const javascript: Syntax = { ...cLike, regex: true };
const go: Syntax = {
  ...cLike,
  quotes: [{ open: '`', multiline: true, escapes: false }, ...cLike.quotes.slice(1)],
};
// Rust's `'` opens lifetimes as often as char literals, so only `"` is a quote.
const rust: Syntax = {
  line: ['//'],
  block: [['/*', '*/']],
  quotes: [{ open: '"', multiline: true, escapes: true }],
};
const python: Syntax = {
  line: ['#'],
  block: [],
  quotes: [
    { open: '"""', multiline: true, escapes: true },
    { open: "'''", multiline: true, escapes: true },
    { open: '"', multiline: false, escapes: true },
    { open: "'", multiline: false, escapes: true },
  ],
};
const hash: Syntax = { line: ['#'], block: [], quotes: python.quotes.slice(2) };
const plain: Syntax = { line: [], block: [], quotes: [] };

const byExtension: Record<string, Syntax> = {
  go,
  rs: rust,
  py: python,
  pyi: python,
  ...Object.fromEntries(
    ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'].map((ext) => [ext, javascript]),
  ),
  ...Object.fromEntries(
    ['java', 'kt', 'c', 'h', 'cc', 'cpp', 'hpp', 'cs', 'swift', 'scala', 'php'].map((ext) => [ext, cLike]),
  ),
  ...Object.fromEntries(
    ['sh', 'bash', 'zsh', 'rb', 'yml', 'yaml', 'toml', 'env', 'ini', 'cfg', 'conf', 'properties'].map(
      (ext) => [ext, hash],
    ),
  ),
};

export function syntaxFor(file: string): Syntax {
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (base.startsWith('.env')) return hash;
  const dot = base.lastIndexOf('.');
  return (dot < 0 ? undefined : byExtension[base.slice(dot + 1).toLowerCase()]) ?? plain;
}

export function lexLines(file: string, content: string): SourceLine[] {
  const syntax = syntaxFor(file);
  let open: Open | null = null;
  return content.split(/\r?\n/).map((raw, index) => {
    const line = new LineBuilder(raw);
    let i = 0;
    while (i < raw.length) {
      if (open !== null) {
        const next = continueOpen(line, i, open);
        i = next.at;
        open = next.open;
        continue;
      }
      const started = startToken(line, i, syntax);
      if (started === null) {
        line.keep(raw[i] as string, false);
        i += 1;
      } else if (started === 'end') break;
      else {
        i = started.at;
        open = started.open;
      }
    }
    // A single-line string left open ends with its line (a typo, or a quote the lexer misread).
    if (open?.kind === 'string' && !open.multiline) open = null;
    return { number: index + 1, raw, text: line.text, code: line.code };
  });
}

/** What is open at the end of a line: a block comment's closer, or a string's quote. */
interface Open {
  readonly kind: 'block' | 'string';
  readonly close: string;
  readonly escapes: boolean;
  readonly multiline: boolean;
}

class LineBuilder {
  text = '';
  code = '';
  constructor(readonly raw: string) {}
  keep(s: string, inString: boolean): void {
    this.text += s;
    this.code += inString ? ' '.repeat(s.length) : s;
  }
  blank(s: string): void {
    this.text += ' '.repeat(s.length);
    this.code += ' '.repeat(s.length);
  }
}

function continueOpen(line: LineBuilder, i: number, open: Open): { at: number; open: Open | null } {
  const { raw } = line;
  if (open.kind === 'block') {
    const end = raw.indexOf(open.close, i);
    const stop = end < 0 ? raw.length : end + open.close.length;
    line.blank(raw.slice(i, stop));
    return { at: stop, open: end < 0 ? open : null };
  }
  const end = closingQuote(raw, i, open.close, open.escapes);
  line.keep(raw.slice(i, end < 0 ? raw.length : end), true);
  if (end < 0) return { at: raw.length, open };
  line.keep(open.close, false);
  return { at: end + open.close.length, open: null };
}

/** A comment, string or regex literal starting at `i`; 'end' for a line comment; null for code. */
function startToken(
  line: LineBuilder,
  i: number,
  syntax: Syntax,
): { at: number; open: Open | null } | 'end' | null {
  const { raw } = line;
  if (syntax.line.some((marker) => raw.startsWith(marker, i))) {
    line.blank(raw.slice(i));
    return 'end';
  }
  const block = syntax.block.find(([start]) => raw.startsWith(start, i));
  if (block) {
    line.blank(block[0]);
    return {
      at: i + block[0].length,
      open: { kind: 'block', close: block[1], escapes: false, multiline: true },
    };
  }
  const quote = syntax.quotes.find((q) => raw.startsWith(q.open, i));
  if (quote) {
    line.keep(quote.open, false);
    const open = {
      kind: 'string' as const,
      close: quote.open,
      escapes: quote.escapes,
      multiline: quote.multiline,
    };
    return { at: i + quote.open.length, open };
  }
  const regexEnd = syntax.regex ? regexLiteralEnd(raw, i, line.code) : -1;
  if (regexEnd < 0) return null;
  // A regex literal is read like a string: its text kept, its contents blank in `code`.
  line.keep('/', false);
  line.keep(raw.slice(i + 1, regexEnd), true);
  line.keep('/', false);
  return { at: regexEnd + 1, open: null };
}

/**
 * Where the JavaScript regex literal starting at `i` ends (its closing `/`), or -1: a `/` begins
 * one only where an expression may start (after an operator, a bracket, `return` …), never after
 * a value, where it divides.
 */
function regexLiteralEnd(raw: string, i: number, codeBefore: string): number {
  if (raw[i] !== '/' || raw[i + 1] === '/' || raw[i + 1] === '*') return -1;
  const before = codeBefore.trimEnd();
  if (before !== '' && !/[(,=:[!&|?{};+\-*%<>~^]$|\b(?:return|typeof|case|in|of)$/.test(before)) return -1;
  let inClass = false;
  for (let j = i + 1; j < raw.length; j++) {
    const c = raw[j];
    if (c === '\\') j += 1;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return j;
  }
  return -1;
}

function closingQuote(line: string, from: number, quote: string, escapes: boolean): number {
  for (let i = from; i < line.length; i++) {
    if (escapes && line[i] === '\\') {
      i += 1;
      continue;
    }
    if (line.startsWith(quote, i)) return i;
  }
  return -1;
}
