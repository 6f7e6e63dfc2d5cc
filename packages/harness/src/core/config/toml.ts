import { readFileSync, statSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { configError } from './issues.js';

/** TOML text → plain table; syntax errors name the file, line and column (never the line's text, which may hold a secret). */
export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml appends a code excerpt after a blank line; keep only the reason.
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
      throw configError(file, [
        { path: '', message: `TOML syntax error at line ${error.line}, column ${error.column}: ${reason}` },
      ]);
    }
    throw configError(file, [{ path: '', message: `cannot parse TOML: ${String(error)}` }], error);
  }
}

/** Reads a config file, turning filesystem failures into config errors that name the file. */
export function readConfigText(file: string): string {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch (error) {
    throw fsError(file, error);
  }
  if (isDirectory) throw configError(file, [{ path: '', message: 'is a directory (expected a TOML file)' }]);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw fsError(file, error);
  }
}

function fsError(file: string, error: unknown) {
  const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
  const reason = code === 'ENOENT' ? 'file does not exist' : `cannot read file (${code})`;
  return configError(file, [{ path: '', message: reason }], error);
}
