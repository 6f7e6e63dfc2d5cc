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
    [
      'ts',
      'tsx',
      'mts',
      'cts',
      'js',
      'jsx',
      'mjs',
      'cjs',
      'java',
      'kt',
      'c',
      'h',
      'cc',
      'cpp',
      'hpp',
      'cs',
      'swift',
      'scala',
      'php',
    ].map((ext) => [ext, cLike]),
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
  const out: SourceLine[] = [];
  // What is open at the end of a line: a block comment's closer, or a multi-line string's quote.
  let open: { kind: 'block' | 'string'; close: string; escapes: boolean } | null = null;
  content.split(/\r?\n/).forEach((raw, index) => {
    let text = '';
    let code = '';
    let i = 0;
    const keep = (s: string, inString: boolean) => {
      text += s;
      code += inString ? ' '.repeat(s.length) : s;
    };
    const blank = (s: string) => {
      text += ' '.repeat(s.length);
      code += ' '.repeat(s.length);
    };
    while (i < raw.length) {
      if (open?.kind === 'block') {
        const end = raw.indexOf(open.close, i);
        const stop = end < 0 ? raw.length : end + open.close.length;
        blank(raw.slice(i, stop));
        i = stop;
        if (end >= 0) open = null;
        continue;
      }
      if (open?.kind === 'string') {
        const end = closingQuote(raw, i, open.close, open.escapes);
        const stop = end < 0 ? raw.length : end;
        keep(raw.slice(i, stop), true);
        if (end >= 0) {
          keep(open.close, false);
          i = end + open.close.length;
          open = null;
        } else i = stop;
        continue;
      }
      const lineComment = syntax.line.find((marker) => raw.startsWith(marker, i));
      if (lineComment) {
        blank(raw.slice(i));
        break;
      }
      const block = syntax.block.find(([start]) => raw.startsWith(start, i));
      if (block) {
        blank(block[0]);
        i += block[0].length;
        open = { kind: 'block', close: block[1], escapes: false };
        continue;
      }
      const quote = syntax.quotes.find((q) => raw.startsWith(q.open, i));
      if (quote) {
        keep(quote.open, false);
        i += quote.open.length;
        open = { kind: 'string', close: quote.open, escapes: quote.escapes };
        continue;
      }
      keep(raw[i] as string, false);
      i += 1;
    }
    // A single-line string left open ends with its line (a typo, or a quote the lexer misread).
    if (open?.kind === 'string' && !syntax.quotes.find((q) => q.open === open?.close)?.multiline) open = null;
    out.push({ number: index + 1, raw, text, code });
  });
  return out;
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
