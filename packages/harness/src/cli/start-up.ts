import { statSync } from 'node:fs';
import path from 'node:path';

/**
 * How bin/harness.js picks what to load, kept apart so it can be tested. It imports nothing but
 * Node: it runs before the CLI is loaded, on every start.
 */

/**
 * The command word of the arguments, after the global options (`-c/--config PATH`,
 * `-p/--project VALUE`, `--json`); undefined when anything else comes first, so that the whole CLI
 * handles it (and its help and errors stay the same).
 */
export function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === '-c' || word === '--config' || word === '-p' || word === '--project') i++;
    else if (word === '--json' || /^(--config=|--project=|-c.|-p.)/.test(word)) continue;
    else return word.startsWith('-') ? undefined : word;
  }
  return undefined;
}

/**
 * The file to import for the arguments, in the harness package at `packageDir`: for `rule`, the
 * rule command's bundle (dist/bundle/rule-main.js, made by `npm run build`) while it is newer than
 * every compile of the packages it was made from, else the compiled rule entry; for anything else
 * the whole CLI.
 */
export function entryFor(args: readonly string[], packageDir: string): string {
  const dist = path.join(packageDir, 'dist');
  if (commandName(args) !== 'rule') return path.join(dist, 'cli', 'main.js');
  const bundle = path.join(dist, 'bundle', 'rule-main.js');
  const bundled = modifiedAt(bundle);
  const compiles = [
    packageDir,
    path.join(packageDir, '..', 'starlark'),
    path.join(packageDir, '..', 'protocol'),
  ].map((dir) => path.join(dir, 'tsconfig.tsbuildinfo'));
  const fresh = bundled > 0 && compiles.every((file) => modifiedAt(file) <= bundled);
  return fresh ? bundle : path.join(dist, 'cli', 'rule-main.js');
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
