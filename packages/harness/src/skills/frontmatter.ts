/**
 * The YAML frontmatter of a SKILL.md: the subset skills are written in — `key: value` scalars
 * (plain, 'single' or "double" quoted), block scalars (`|` and `>`, with `-`/`+` chomping), lists
 * (`[a, b]` or `- item` lines) and one level of string map (`metadata:`). Values stay strings:
 * a skill's fields are text, and keeping `true` as "true" lets an update write them back as read.
 *
 * Lenient where skills in the wild are loose: a plain scalar runs to the end of its line, so
 * `description: Use when: X` is read as the text it obviously is (strict YAML refuses it).
 * Anything else this reader does not understand throws a FrontmatterError naming the line.
 */
export type FrontmatterValue = string | string[] | Record<string, string>;
export type Frontmatter = Record<string, FrontmatterValue>;

export class FrontmatterError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'FrontmatterError';
  }
}

export interface SplitDocument {
  /** The frontmatter's text (without the `---` fences), or null when the file has none. */
  frontmatter: string | null;
  /** The line (1-based) the frontmatter text starts on, for error messages. */
  frontmatterLine: number;
  body: string;
}

/** Splits `---\n…\n---\n` from the start of a document; an opening fence never closed is an error. */
export function splitFrontmatter(text: string): SplitDocument {
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (!/^---[ \t]*\n/.test(source)) return { frontmatter: null, frontmatterLine: 0, body: source };
  const lines = source.split('\n');
  const close = lines.findIndex((line, i) => i > 0 && /^(---|\.\.\.)[ \t]*$/.test(line));
  if (close === -1) throw new FrontmatterError('the frontmatter opened by --- is never closed', 1);
  return {
    frontmatter: lines.slice(1, close).join('\n'),
    frontmatterLine: 2,
    body: lines
      .slice(close + 1)
      .join('\n')
      .replace(/^\n+/, ''),
  };
}

const keyPattern = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]+(.*)|[ \t]*)$/;

/** Parses frontmatter text; `firstLine` is where it starts in the file, for error positions. */
export function parseFrontmatter(text: string, firstLine = 1): Frontmatter {
  const lines = text.split('\n');
  const fields: Frontmatter = {};
  let i = 0;
  const lineNo = (index: number) => index + firstLine;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (isBlankOrComment(line)) {
      i += 1;
      continue;
    }
    if (/^[ \t]/.test(line))
      throw new FrontmatterError('indented line outside a list, map or block', lineNo(i));
    const match = keyPattern.exec(line);
    if (!match) throw new FrontmatterError(`expected "key: value", got ${JSON.stringify(line)}`, lineNo(i));
    const key = match[1] as string;
    if (key in fields) throw new FrontmatterError(`"${key}" is given twice`, lineNo(i));
    const rest = (match[2] ?? '').trim();
    const nested = indentedBlock(lines, i + 1);
    if (/^[|>][-+]?$/.test(rest)) {
      fields[key] = blockScalar(rest, nested.lines);
    } else if (rest === '' || rest.startsWith('#')) {
      fields[key] = nested.lines.length === 0 ? '' : collection(nested.lines, lineNo(i + 1));
    } else {
      if (nested.lines.some((l) => !isBlankOrComment(l))) {
        throw new FrontmatterError(`"${key}" has a value and an indented block under it`, lineNo(i + 1));
      }
      fields[key] = rest.startsWith('[') ? flowList(rest, lineNo(i)) : scalar(rest, lineNo(i));
    }
    i = nested.end;
  }
  return fields;
}

function isBlankOrComment(line: string): boolean {
  return /^\s*(#.*)?$/.test(line);
}

/** The lines after `start` that are indented (or blank) — the value of the key above them. */
function indentedBlock(lines: readonly string[], start: number): { lines: string[]; end: number } {
  let end = start;
  while (end < lines.length && (/^[ \t]/.test(lines[end] ?? '') || (lines[end] ?? '') === '')) end += 1;
  // Trailing blank lines belong to no one.
  while (end > start && (lines[end - 1] ?? '') === '') end -= 1;
  return { lines: lines.slice(start, end), end };
}

function blockScalar(header: string, lines: readonly string[]): string {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const indent = indents.length === 0 ? 0 : Math.min(...indents);
  const content = lines.map((l) => l.slice(indent));
  let text: string;
  if (header.startsWith('|')) text = content.join('\n');
  else {
    // Folded: lines of one paragraph join with a space, a blank line stays a line break.
    text = content
      .join('\n')
      .split(/\n{2,}/)
      .map((paragraph) => paragraph.replace(/\n/g, ' '))
      .join('\n');
  }
  if (header.endsWith('-')) return text.replace(/\n+$/, '');
  return header.endsWith('+') ? `${text}\n` : `${text.replace(/\n+$/, '')}\n`;
}

/** An indented `- item` list or `key: value` map (one level: what `metadata` and `allowed-tools` need). */
function collection(lines: readonly string[], firstLine: number): string[] | Record<string, string> {
  const items = lines
    .map((line, i) => ({ line: line.trim(), no: firstLine + i }))
    .filter((l) => !isBlankOrComment(l.line));
  if (items.every((item) => /^-(\s|$)/.test(item.line))) {
    return items.map((item) => scalar(item.line.slice(1).trim(), item.no));
  }
  const map: Record<string, string> = {};
  for (const item of items) {
    const match = keyPattern.exec(item.line);
    if (!match)
      throw new FrontmatterError(
        `expected "key: value" or "- item", got ${JSON.stringify(item.line)}`,
        item.no,
      );
    map[match[1] as string] = scalar((match[2] ?? '').trim(), item.no);
  }
  return map;
}

function flowList(text: string, line: number): string[] {
  if (!text.endsWith(']')) throw new FrontmatterError(`the list ${text} is not closed with "]"`, line);
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  return inner.split(',').map((part) => scalar(part.trim(), line));
}

function scalar(text: string, line: number): string {
  if (text.startsWith('"')) {
    const end = closingQuote(text, '"');
    if (end === -1) throw new FrontmatterError(`unterminated "double-quoted" string: ${text}`, line);
    try {
      return JSON.parse(text.slice(0, end + 1)) as string;
    } catch {
      throw new FrontmatterError(`unreadable escape in ${text.slice(0, end + 1)}`, line);
    }
  }
  if (text.startsWith("'")) {
    const end = closingQuote(text, "'");
    if (end === -1) throw new FrontmatterError(`unterminated 'single-quoted' string: ${text}`, line);
    return text.slice(1, end).replace(/''/g, "'");
  }
  // A comment after a plain value needs the space before its "#", as in YAML.
  return text.replace(/\s+#.*$/, '').trim();
}

function closingQuote(text: string, quote: '"' | "'"): number {
  for (let i = 1; i < text.length; i += 1) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 1;
      else return i;
    }
  }
  return -1;
}

/** Writes fields back as frontmatter this reader reads to the same values. */
export function formatFrontmatter(fields: Frontmatter): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') lines.push(`${key}: ${quoteIfNeeded(value)}`);
    else if (Array.isArray(value)) {
      lines.push(`${key}:`);
      for (const item of value) lines.push(`  - ${quoteIfNeeded(item)}`);
    } else {
      lines.push(`${key}:`);
      for (const [k, v] of Object.entries(value)) lines.push(`  ${k}: ${quoteIfNeeded(v)}`);
    }
  }
  return `---\n${lines.join('\n')}\n---\n`;
}

function quoteIfNeeded(value: string): string {
  const plain = /^[^\s"'[{|>#&*!%@`-][^\n#]*$/.test(value) && value === value.trim() && !/:\s/.test(value);
  return plain ? value : JSON.stringify(value);
}
