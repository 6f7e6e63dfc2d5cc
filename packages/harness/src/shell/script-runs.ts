import { emptyAnalysis, viewOf } from './command-view.js';
import type { FileReader } from './file-reader.js';
import { makefileOf, makeInvocation, MAKE_PROGRAMS, type MakeInvocation } from './make-files.js';
import { baseName, dirName, joinPath, resolvePath } from './posix-path.js';
import { isWrapper, unwrap } from './wrappers.js';

/**
 * Which scripts a command line runs from files — `bash x.sh`, `./x.sh`, `source x.sh`, `npm test`
 * and other package scripts, `make deploy` — so that the commands written into those files can be
 * checked as well as the line. Writing the forbidden command into a file and running the file is
 * the easiest way around a policy that reads only the command line.
 */

export const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash']);

/** One simple command of a checked line: its words and its redirections as written. */
export interface RunPart {
  readonly command: readonly string[];
  readonly redirections: readonly string[];
}

export interface ScriptRun {
  /** How the command names it: the script's path, or `npm test` for a package script. */
  readonly label: string;
  /** The file, resolved against the directory the command runs in. */
  readonly file: string;
  /** Run as `./file` rather than handed to a shell: a non-shell `#!` makes it someone else's. */
  readonly direct?: boolean;
  /** A package.json script by name (with its `pre`/`post` hooks), run by a package manager. */
  readonly packageScript?: string;
  /** Recipes of a Makefile, run by make. */
  readonly make?: MakeInvocation;
}

/**
 * Scripts the parts of a command line run in `cwd`: shell operands, `source`/`.`, paths run
 * directly, package.json scripts run by npm, pnpm, yarn or bun, and Makefiles run by make.
 */
export function scriptRunsOf(
  parts: readonly RunPart[],
  cwd: string,
  files: Pick<FileReader, 'exists'>,
): ScriptRun[] {
  const runs = new Map<string, ScriptRun>();
  const add = (run: Omit<ScriptRun, 'file'> & { file: string }): void => {
    runs.set(run.label, { ...run, file: resolvePath(cwd, run.file) });
  };
  for (const part of parts) {
    const [first, ...rest] = withoutWrappers(part.command);
    if (first === undefined) continue;
    const program = baseName(first);
    const packageScript = packageScriptOf(program, rest);
    if (MAKE_PROGRAMS.has(program)) {
      const make = makeInvocation(rest, cwd);
      const label = [program, ...make.targets].join(' ');
      add({ label, file: makefileOf(make, files) ?? joinPath(make.dir, 'Makefile'), make });
    } else if (packageScript !== undefined) {
      const file = nearestPackageJson(cwd, files);
      if (file !== null) add({ label: `${program} ${packageScript}`, file, packageScript });
    } else if (program === 'source' || program === '.') {
      if (rest[0] !== undefined) add({ label: rest[0], file: rest[0] });
    } else if (SHELLS.has(program)) {
      // `bash [options] FILE`; with -c or -s the operands are not a file.
      if (rest.some((a) => /^-[a-zA-Z]*[cs]/.test(a))) continue;
      const operand = rest.find((a) => !a.startsWith('-') && !a.startsWith('+'));
      if (operand !== undefined) add({ label: operand, file: operand });
    } else if (first.includes('/')) {
      add({ label: first, file: first, direct: true });
    }
  }
  return [...runs.values()];
}

/** `sudo make deploy`, `timeout 60 bash x.sh`: the command a chain of wrappers runs in the end. */
function withoutWrappers(argv: readonly string[]): readonly string[] {
  let current = argv;
  for (let depth = 0; depth < 8 && current.length > 0; depth++) {
    const program = baseName(current[0] as string);
    if (!isWrapper(program)) break;
    const inner = unwrap(program, viewOf(current), emptyAnalysis());
    if (inner === undefined) break;
    current = inner.argv;
  }
  return current;
}

const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const LIFECYCLE: Record<string, string> = {
  install: 'install',
  i: 'install',
  ci: 'install',
  test: 'test',
  t: 'test',
  tst: 'test',
  start: 'start',
  stop: 'stop',
  restart: 'restart',
};
const RUN = new Set(['run', 'run-script', 'rum', 'urn']);

/**
 * The package script a package-manager command runs: `npm run X`, `npm test`, `pnpm start`;
 * pnpm, yarn and bun also take `pnpm X` for a script X (checked only if such a script exists).
 */
function packageScriptOf(program: string, args: readonly string[]): string | undefined {
  if (!PACKAGE_MANAGERS.has(program)) return undefined;
  const [sub, ...rest] = args.filter((a) => !a.startsWith('-'));
  if (sub === undefined) return undefined;
  if (RUN.has(sub)) return rest[0];
  return LIFECYCLE[sub] ?? (program === 'npm' ? undefined : sub);
}

/** The package.json a package manager run in `cwd` uses: the nearest one upwards. */
function nearestPackageJson(cwd: string, files: Pick<FileReader, 'exists'>): string | null {
  for (let dir = cwd; ; dir = dirName(dir)) {
    const file = joinPath(dir, 'package.json');
    if (files.exists(file)) return file;
    if (dirName(dir) === dir) return null;
  }
}

/**
 * A package script with its `pre`/`post` hooks, as one shell text, from the text of package.json;
 * null when it has none or the file is not JSON (the package manager fails then too).
 */
export function packageScriptText(packageJson: string, name: string): string | null {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(packageJson) as { scripts?: unknown }).scripts;
  } catch {
    return null;
  }
  if (scripts === null || typeof scripts !== 'object') return null;
  const table = scripts as Record<string, unknown>;
  const lines = [`pre${name}`, name, `post${name}`]
    .map((key) => (Object.hasOwn(table, key) ? table[key] : undefined))
    .filter((text): text is string => typeof text === 'string');
  return lines.length === 0 ? null : lines.join('\n');
}

/** Files the command line itself writes: output redirections and `tee` operands. */
export function writtenPaths(parts: readonly RunPart[], cwd: string): Set<string> {
  const written = new Set<string>();
  for (const part of parts) {
    for (const redirection of part.redirections) {
      const target = /^\d*(?:>>?|>\||&>>?)\s*(.+)$/.exec(redirection)?.[1];
      if (target !== undefined) written.add(resolvePath(cwd, target));
    }
    if (baseName(part.command[0] ?? '') === 'tee') {
      for (const arg of part.command.slice(1)) if (!arg.startsWith('-')) written.add(resolvePath(cwd, arg));
    }
  }
  return written;
}

/** True when a script's `#!` line names a shell (directly or through `env`). */
export function isShellShebang(text: string): boolean {
  const [, interpreter = '', argument = ''] = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text) ?? [];
  const name = baseName(interpreter);
  return SHELLS.has(name === 'env' ? baseName(argument) : name);
}
