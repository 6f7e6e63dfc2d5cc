import type { SourceLine } from './lexer.js';

/**
 * A built-in guard: the scanner behind one rule of the shipped catalogue, run in-process over the
 * files the rule's `paths` match. It sees one line at a time (with the file around it for the few
 * checks that need more, such as Go's `package main` or Rust's `#[cfg(test)]`).
 */
export interface FileContext {
  /** Relative to the project root, `/`-separated. */
  readonly file: string;
  readonly lines: readonly SourceLine[];
  readonly isTest: boolean;
  /** The line from which the rest of the file is test code (Rust's `#[cfg(test)]`), if any. */
  readonly testCodeFrom: number | null;
}

export interface BuiltinGuard {
  readonly ruleId: string;
  /** Test files and test code are not checked (fixtures may do on purpose what the rule forbids). */
  readonly skipTests: boolean;
  /** The finding's message when the line breaks the rule, else null. */
  check(line: SourceLine, context: FileContext): string | null;
}

/** One markdown file of the shipped catalogue and the guards of its rules. */
export interface BuiltinCatalogueFile {
  readonly name: string;
  readonly markdown: string;
  readonly guards: readonly BuiltinGuard[];
}

export type View = 'raw' | 'text' | 'code';

/** A guard that reports a line when `pattern` matches the chosen view of it. */
export function lineGuard(
  ruleId: string,
  view: View,
  pattern: RegExp | readonly RegExp[],
  message: string,
  options: { skipTests?: boolean } = {},
): BuiltinGuard {
  const patterns = Array.isArray(pattern) ? pattern : [pattern as RegExp];
  return {
    ruleId,
    skipTests: options.skipTests ?? true,
    check: (line) => (patterns.some((p) => p.test(line[view])) ? message : null),
  };
}

const TEST_FILE =
  /(^|\/)(tests?|__tests__|__mocks__|spec|testdata|fixtures)\/|\.(test|spec)\.[^/]+$|_test\.(go|py|rs)$|(^|\/)test_[^/]*\.py$|(^|\/)conftest\.py$/;

export function isTestFile(file: string): boolean {
  return TEST_FILE.test(file);
}

/**
 * A value built at run time: concatenation outside strings, a template or f-string interpolation,
 * `%` or `.format` formatting, Sprintf/format!. `code` blanks string contents, so a `+` inside a
 * string does not count.
 */
export function isDynamic(text: string, code: string): boolean {
  return (
    /[^+]\+(?!\+)/.test(code.replace(/^\s*\+/, '')) ||
    /`[^`]*\$\{/.test(text) ||
    /(?<![\w])[fF]["']/.test(text) ||
    /["']\s*%\s*[\w(]/.test(text) ||
    /\.format\s*\(/.test(code) ||
    /\b(Sprintf|format!)\s*\(/.test(code)
  );
}
