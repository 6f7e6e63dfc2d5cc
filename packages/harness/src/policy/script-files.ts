import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decisionRank, stricter, type Decision } from './decision.js';
import {
  emptyAnalysis,
  gitAliasLookup,
  type GitAliasLookup,
  isWrapper,
  MAKE_PROGRAMS,
  makefileOf,
  type MakeInvocation,
  makeInvocation,
  makeRecipes,
  unwrap,
  viewOf,
} from '../shell/index.js';
import type { CheckResult, Policy } from './policy.js';

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash']);
const MAX_SCRIPT_BYTES = 256 * 1024;
const MAX_DEPTH = 4;

export interface ScriptAwareResult {
  decision: CheckResult['decision'];
  reason: string;
  /** The command line's own check. */
  command: CheckResult;
  /** Every script file that was checked, nested ones included. */
  scripts: string[];
}

interface ScriptRun {
  /** How the command names it: the script's path, or `npm test` for a package script. */
  label: string;
  file: string;
  /** Run as `./file` rather than handed to a shell: a non-shell `#!` makes it someone else's. */
  direct?: boolean;
  /** A package.json script by name (with its `pre`/`post` hooks), run by a package manager. */
  packageScript?: string;
  /** Recipes of a Makefile, run by make. */
  make?: MakeInvocation;
}

type ScriptText = { text: string; problem?: string } | { problem: string } | null;

function readScript(run: ScriptRun, file: string): Promise<ScriptText> {
  if (run.make !== undefined) return readMakeRecipes(run.make);
  if (run.packageScript !== undefined) return readPackageScript(file, run.packageScript);
  return readShellScript(file, run.direct ?? false);
}

/** The recipes `make` would run; a problem (with the recipes still checked) when some cannot be known. */
async function readMakeRecipes(run: MakeInvocation): Promise<ScriptText> {
  const recipes = await makeRecipes(run);
  if (recipes === null)
    return run.problems.length > 0 ? { problem: `cannot be checked: ${run.problems.join('; ')}` } : null;
  if (recipes.problems.length === 0) return { text: recipes.text };
  return { text: recipes.text, problem: `cannot be checked in full: ${recipes.problems.join('; ')}` };
}

/**
 * Checks a command line and, through it, the shell scripts it runs from files (`bash x.sh`,
 * `./x.sh`, `source x.sh`, `npm test` and other package scripts): writing the forbidden command into a file and running the file is the
 * easiest way around a policy that reads only the command line. The file is read just before the
 * command runs, so what is checked is what would run.
 */
export interface ScriptCheckOptions {
  /** The environment the command runs with, for reading git configuration (HOME). */
  readonly env?: NodeJS.ProcessEnv;
}

export async function checkCommandLineWithScripts(
  policy: Policy,
  line: string,
  cwd: string,
  options: ScriptCheckOptions = {},
): Promise<ScriptAwareResult> {
  return checkWithScripts(policy, line, cwd, { ...options, gitAliases: undefined }, 0);
}

interface ScriptCheck extends ScriptCheckOptions {
  gitAliases: GitAliasLookup | undefined;
}

async function checkWithScripts(
  policy: Policy,
  line: string,
  cwd: string,
  options: ScriptCheck,
  depth: number,
): Promise<ScriptAwareResult> {
  // Git aliases are read in the directory the command runs in, once per directory.
  const gitAliases = options.gitAliases ?? gitAliasLookup({ cwd, env: options.env });
  const command = policy.checkCommandLine(line, { gitAliases });
  let decision = command.decision;
  // Each reason with the decision it stands for: the deciding ones are told first.
  const reasons: [Decision, string][] = [[command.decision, command.reason]];
  const scripts: string[] = [];
  const written = writtenPaths(command, cwd);
  for (const run of depth < MAX_DEPTH ? scriptRunsOf(command, cwd) : []) {
    const file = path.resolve(cwd, run.file);
    const script = written.has(file)
      ? { problem: 'is written by the same command, so it cannot be checked before it runs' }
      : await readScript(run, file);
    if (script === null) continue;
    scripts.push(file);
    if ('problem' in script) {
      decision = stricter(decision, 'prompt') ?? decision;
      reasons.push(['prompt', `the script ${run.label} ${script.problem}`]);
      if (!('text' in script)) continue;
    }
    // Relative paths in a script resolve against the shell's working directory, not the script's;
    // make runs its recipes in its own directory (`-C`), with that directory's git configuration.
    const dir = run.make?.dir ?? cwd;
    const aliases = dir === cwd ? gitAliases : undefined;
    const inner = await checkWithScripts(
      policy,
      script.text,
      dir,
      { ...options, gitAliases: aliases },
      depth + 1,
    );
    scripts.push(...inner.scripts);
    decision = stricter(decision, inner.decision) ?? decision;
    if (inner.decision !== 'allow')
      reasons.push([inner.decision, `the script ${run.label} runs: ${inner.reason}`]);
  }
  const ordered = [...reasons].sort(([a], [b]) => decisionRank(b) - decisionRank(a));
  return { decision, reason: ordered.map(([, text]) => text).join('; '), command, scripts };
}

/**
 * Scripts a checked command runs: shell operands, `source`/`.`, paths run directly, and
 * package.json scripts run by npm, pnpm, yarn or bun.
 */
function scriptRunsOf(result: CheckResult, cwd: string): ScriptRun[] {
  const runs = new Map<string, ScriptRun>();
  for (const part of result.parts) {
    const [first, ...rest] = withoutWrappers(part.command);
    if (first === undefined) continue;
    const program = path.basename(first);
    const packageScript = packageScriptOf(program, rest);
    if (MAKE_PROGRAMS.has(program)) {
      const make = makeInvocation(rest, cwd);
      const label = [program, ...make.targets].join(' ');
      runs.set(label, { label, file: makefileOf(make) ?? path.join(make.dir, 'Makefile'), make });
    } else if (packageScript !== undefined) {
      const file = nearestPackageJson(cwd);
      const label = `${program} ${packageScript}`;
      if (file !== null) runs.set(label, { label, file, packageScript });
    } else if (program === 'source' || program === '.') {
      if (rest[0] !== undefined) runs.set(rest[0], { label: rest[0], file: rest[0] });
    } else if (SHELLS.has(program)) {
      // `bash [options] FILE`; with -c or -s the operands are not a file.
      if (rest.some((a) => /^-[a-zA-Z]*[cs]/.test(a))) continue;
      const operand = rest.find((a) => !a.startsWith('-') && !a.startsWith('+'));
      if (operand !== undefined) runs.set(operand, { label: operand, file: operand });
    } else if (first.includes('/')) {
      runs.set(first, { label: first, file: first, direct: true });
    }
  }
  return [...runs.values()];
}

/** `sudo make deploy`, `timeout 60 bash x.sh`: the command a chain of wrappers runs in the end. */
function withoutWrappers(argv: readonly string[]): readonly string[] {
  let current = argv;
  for (let depth = 0; depth < 8 && current.length > 0; depth++) {
    const program = path.basename(current[0] as string);
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
function nearestPackageJson(cwd: string): string | null {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return null;
  }
}

/** A package script with its `pre`/`post` hooks, as one shell text; null when it has none. */
async function readPackageScript(file: string, name: string): Promise<ScriptText> {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(await readFile(file, 'utf8')) as { scripts?: unknown }).scripts;
  } catch {
    return null; // unreadable or not JSON: the package manager fails too
  }
  if (scripts === null || typeof scripts !== 'object') return null;
  const table = scripts as Record<string, unknown>;
  const lines = [`pre${name}`, name, `post${name}`]
    .map((key) => (Object.hasOwn(table, key) ? table[key] : undefined))
    .filter((text): text is string => typeof text === 'string');
  return lines.length === 0 ? null : { text: lines.join('\n') };
}

/** Files the command line itself writes: output redirections and `tee` operands. */
function writtenPaths(result: CheckResult, cwd: string): Set<string> {
  const written = new Set<string>();
  for (const part of result.parts) {
    for (const redirection of part.redirections) {
      const target = /^\d*(?:>>?|>\||&>>?)\s*(.+)$/.exec(redirection)?.[1];
      if (target !== undefined) written.add(path.resolve(cwd, target));
    }
    if (path.basename(part.command[0] ?? '') === 'tee') {
      for (const arg of part.command.slice(1)) if (!arg.startsWith('-')) written.add(path.resolve(cwd, arg));
    }
  }
  return written;
}

/**
 * A shell script's text; null when there is nothing to check (not a regular file, a binary, or
 * run directly with a `#!` naming something other than a shell).
 */
async function readShellScript(file: string, direct: boolean): Promise<ScriptText> {
  let handle;
  try {
    handle = await open(file, 'r');
    const info = await handle.stat();
    if (!info.isFile()) return null;
    const buffer = Buffer.alloc(Math.min(info.size, MAX_SCRIPT_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    if (buffer.subarray(0, 1024).includes(0)) return null;
    const text = buffer.toString('utf8');
    // Without a `#!`, a file run directly is run by the shell that ran it (ENOEXEC).
    if (direct && text.startsWith('#!') && !isShellShebang(text)) return null;
    if (info.size > MAX_SCRIPT_BYTES) return { problem: `is larger than ${MAX_SCRIPT_BYTES} bytes to check` };
    return { text };
  } catch (error) {
    // A script that is not there yet can only run if the command creates it: unknowable here.
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return missing ? { problem: 'does not exist yet, so it cannot be checked before it runs' } : null;
  } finally {
    await handle?.close();
  }
}

function isShellShebang(text: string): boolean {
  const [, interpreter = '', argument = ''] = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text) ?? [];
  const name = path.basename(interpreter);
  return SHELLS.has(name === 'env' ? path.basename(argument) : name);
}
