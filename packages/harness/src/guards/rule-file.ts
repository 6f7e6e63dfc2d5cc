import type { RuleCategory, Severity } from '@harness/protocol';
import { ErrorCodes, HarnessError, describeError } from '../core/index.js';
import type { Rule } from './scan.js';

/**
 * Rule files: markdown with an optional frontmatter (`paths`, `fix_pattern`, `category`) and one
 * `## ID: Title (severity)` section per rule. Unlike the original, the severity is only the
 * heading's trailing marker — a rule that mentions "high" in its text is not high because of it —
 * and anything malformed is an error naming file:line, never a silently different rule.
 */

const FRONTMATTER_KEYS = ['paths', 'fix_pattern', 'category'] as const;
// Written out rather than taken from the protocol's schemas: `harness rule` starts without zod.
const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
const CATEGORIES: readonly RuleCategory[] = ['security', 'stability', 'style'];
const HEADING = /^##\s+(.*?)\s*$/;
const SEVERITY_MARKER = /\(\s*(critical|high|medium|low)\s*\)$/i;
const RULE_ID = /^[A-Z][A-Za-z0-9_.-]*$/;

interface Frontmatter {
  paths: string[];
  fixPattern: string | null;
  category: RuleCategory | null;
  /** The line after the closing `---` (1-based), where the body starts. */
  bodyStart: number;
}

export function parseRuleFile(text: string, file: string): Rule[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const front = parseFrontmatter(lines, file);
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  let current: { heading: string; line: number; body: string[] } | null = null;
  let fence: string | null = null;
  const finish = () => {
    if (current) rules.push(toRule(current, front, file, seen));
  };
  for (let i = front.bodyStart - 1; i < lines.length; i++) {
    const line = lines[i] as string;
    // A `## ` inside a fenced example is part of the rule's text, not a new rule.
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) fence = fence === null ? marker : null;
    const heading = fence === null ? HEADING.exec(line) : null;
    if (heading) {
      finish();
      current = { heading: heading[1] as string, line: i + 1, body: [] };
    } else current?.body.push(line);
  }
  finish();
  return rules;
}

function toRule(
  section: { heading: string; line: number; body: string[] },
  front: Frontmatter,
  file: string,
  seen: Map<string, number>,
): Rule {
  const where = `${file}:${section.line}`;
  const fail = (what: string) => new HarnessError(ErrorCodes.config, `${where}: ${what}`);
  const colon = section.heading.indexOf(':');
  if (colon < 0) throw fail(`rule heading "## ${section.heading}" is not "## ID: Title (severity)"`);
  const id = section.heading.slice(0, colon).trim();
  const rest = section.heading.slice(colon + 1).trim();
  if (!RULE_ID.test(id)) {
    throw fail(`rule id "${id}" must start with an uppercase letter and hold only letters, digits, _ . -`);
  }
  const marker = SEVERITY_MARKER.exec(rest);
  if (!marker) {
    throw fail(`rule ${id} has no severity marker: end the heading with (${SEVERITIES.join('|')})`);
  }
  const title = rest.slice(0, marker.index).trim();
  if (title === '') throw fail(`rule ${id} has no title`);
  const previous = seen.get(id);
  if (previous !== undefined)
    throw fail(`rule ${id} is defined twice in this file (first at line ${previous})`);
  seen.set(id, section.line);
  return {
    id,
    title,
    severity: (marker[1] as string).toLowerCase() as Severity,
    category: front.category ?? categoryOf(id),
    paths: front.paths,
    description: section.body.join('\n').trim(),
    fixPattern: front.fixPattern,
    source: { file, line: section.line },
  };
}

/** The original's mapping from the id's prefix. */
export function categoryOf(id: string): RuleCategory {
  if (/^SEC/i.test(id)) return 'security';
  if (/^(RS|GO|TS|JS|PY)/i.test(id)) return 'stability';
  return 'style';
}

function parseFrontmatter(lines: string[], file: string): Frontmatter {
  const empty: Frontmatter = { paths: [], fixPattern: null, category: null, bodyStart: 1 };
  if (lines[0]?.trim() !== '---') return empty;
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
  if (end < 0) {
    throw new HarnessError(ErrorCodes.config, `${file}:1: frontmatter opened with --- is never closed`);
  }
  const front: Frontmatter = { ...empty, bodyStart: end + 2 };
  const entries = readEntries(lines.slice(1, end), file);
  for (const { key, value, line } of entries) {
    const fail = (what: string) => new HarnessError(ErrorCodes.config, `${file}:${line}: ${what}`);
    if (key === 'paths') front.paths = Array.isArray(value) ? value : [value];
    else if (key === 'fix_pattern') {
      if (Array.isArray(value)) throw fail('fix_pattern must be one sed-style s/PATTERN/REPLACEMENT/');
      try {
        parseFixPattern(value);
      } catch (error) {
        throw fail(`fix_pattern ${JSON.stringify(value)}: ${describeError(error)}`);
      }
      front.fixPattern = value;
    } else if (key === 'category') {
      const category = CATEGORIES.find((c) => c === value);
      if (category === undefined) {
        throw fail(`category must be one of ${CATEGORIES.join(', ')}, got ${JSON.stringify(value)}`);
      }
      front.category = category;
    } else throw fail(`unknown frontmatter key "${key}" (known: ${FRONTMATTER_KEYS.join(', ')})`);
  }
  return front;
}

interface Entry {
  key: string;
  value: string | string[];
  line: number;
}

/**
 * The YAML the frontmatter needs and no more: `key: scalar`, `key: [a, b]` and a block list of
 * `- item` lines under `key:`. Comments and blank lines are skipped.
 */
function readEntries(lines: string[], file: string): Entry[] {
  const entries: Entry[] = [];
  lines.forEach((raw, index) => {
    const line = index + 2;
    const text = raw.trimEnd();
    if (text.trim() === '' || text.trim().startsWith('#')) return;
    const item = /^\s+-\s*(.*)$/.exec(text) ?? /^-\s+(.*)$/.exec(text);
    const last = entries.at(-1);
    if (item) {
      if (!last || !Array.isArray(last.value)) {
        throw new HarnessError(ErrorCodes.config, `${file}:${line}: list item outside a list`);
      }
      last.value.push(unquote(withoutComment(item[1] as string)));
      return;
    }
    const pair = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(text);
    if (!pair)
      throw new HarnessError(
        ErrorCodes.config,
        `${file}:${line}: expected "key: value", got "${raw.trim()}"`,
      );
    entries.push({ key: pair[1] as string, value: scalarOrList(pair[2] as string), line });
  });
  return entries;
}

function scalarOrList(text: string): string | string[] {
  const value = withoutComment(text);
  if (value === '') return [];
  if (value.startsWith('[') && value.endsWith(']')) {
    const inner = value.slice(1, -1).trim();
    return inner === '' ? [] : splitList(inner).map((part) => unquote(part));
  }
  return unquote(value);
}

/** Commas inside quotes or braces (`"*.{ts,tsx}"`) do not split the list. */
function splitList(text: string): string[] {
  const parts: string[] = [''];
  let quote: string | null = null;
  let depth = 0;
  for (const c of text) {
    if (quote !== null) quote = c === quote ? null : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth += 1;
    else if (c === '}') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push('');
      continue;
    }
    parts[parts.length - 1] += c;
  }
  return parts;
}

/** ` # …` ends an unquoted value; a quoted value ends at its closing quote. */
function withoutComment(text: string): string {
  const value = text.trim();
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const close = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')/.exec(value);
    if (close) return close[1] as string;
  }
  return value.replace(/\s+#.*$/, '').trim();
}

/** Quotes are dropped; in double quotes only `\"` and `\\` are escapes, so regexes read as written. */
function unquote(text: string): string {
  const value = text.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    return value.slice(1, -1).replace(/''/g, "'");
  }
  return value;
}

export interface FixPattern {
  readonly regex: RegExp;
  /** In JavaScript's replacement syntax (`$&`, `$1`). */
  readonly replacement: string;
}

/**
 * `s<d>PATTERN<d>REPLACEMENT<d>[flags]` with any delimiter (the last one may be left out), a
 * JavaScript regular expression, sed's `&` and `\1` in the replacement, and the flags `g` and `i`.
 */
export function parseFixPattern(text: string): FixPattern {
  if (text.length < 2 || text[0] !== 's')
    throw new HarnessError(ErrorCodes.config, 'must look like s/PATTERN/REPLACEMENT/');
  const delimiter = text[1] as string;
  if (/[\w\s\\]/.test(delimiter))
    throw new HarnessError(ErrorCodes.config, `"${delimiter}" cannot be the delimiter`);
  const parts = splitOn(text.slice(2), delimiter);
  if (parts.length < 2 || parts.length > 3) {
    throw new HarnessError(
      ErrorCodes.config,
      `expected s${delimiter}PATTERN${delimiter}REPLACEMENT${delimiter}[flags]`,
    );
  }
  const [pattern, replacement, flags = ''] = parts as [string, string, string?];
  if (pattern === '') throw new HarnessError(ErrorCodes.config, 'the pattern is empty');
  if (!/^[gi]*$/.test(flags))
    throw new HarnessError(ErrorCodes.config, `unknown flags "${flags}" (known: g, i)`);
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    throw new HarnessError(ErrorCodes.config, `the pattern does not compile: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { regex, replacement: sedReplacement(replacement) };
}

/** Splits on unescaped delimiters; `\<d>` stands for the delimiter itself. */
function splitOn(text: string, delimiter: string): string[] {
  const parts: string[] = [''];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && text[i + 1] === delimiter) {
      parts[parts.length - 1] += delimiter;
      i += 1;
    } else if (c === '\\' && i + 1 < text.length) {
      parts[parts.length - 1] += c + (text[i + 1] as string);
      i += 1;
    } else if (c === delimiter) parts.push('');
    else parts[parts.length - 1] += c;
  }
  // `s/a/b/` ends with an empty flags part; `s/a/b` has none.
  return parts;
}

function sedReplacement(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '\\' && next !== undefined) {
      out += /\d/.test(next) ? `$${next}` : next === 'n' ? '\n' : next === '$' ? '$$' : next;
      i += 1;
    } else if (c === '&') out += '$&';
    else if (c === '$') out += '$$';
    else out += c;
  }
  return out;
}
