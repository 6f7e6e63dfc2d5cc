import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import {
  isShellShebang,
  makeRecipes,
  packageScriptText,
  scriptRunsOf,
  writtenPaths,
  type FileReader,
  type GitAliasLookup,
  type MakeInvocation,
  type ScriptRun,
} from '../shell/index.js';
import { decisionRank, stricter, type Decision } from './decision.js';
import { gitAliasLookup } from './git-config.js';
import type { CheckResult, Policy } from './policy.js';

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

type ScriptText = { text: string; problem?: string } | { problem: string } | null;

/** The files of this machine, as command analysis sees them. */
const localFiles: FileReader = {
  exists: (file) => existsSync(file),
  readText: (file) => readFile(file, 'utf8').catch(() => null),
};

function readScript(run: ScriptRun): Promise<ScriptText> {
  if (run.make !== undefined) return readMakeRecipes(run.make);
  if (run.packageScript !== undefined) return readPackageScript(run.file, run.packageScript);
  return readShellScript(run.file, run.direct ?? false);
}

/** The recipes `make` would run; a problem (with the recipes still checked) when some cannot be known. */
async function readMakeRecipes(run: MakeInvocation): Promise<ScriptText> {
  const recipes = await makeRecipes(run, localFiles);
  if (recipes === null)
    return run.problems.length > 0 ? { problem: `cannot be checked: ${run.problems.join('; ')}` } : null;
  if (recipes.problems.length === 0) return { text: recipes.text };
  return { text: recipes.text, problem: `cannot be checked in full: ${recipes.problems.join('; ')}` };
}

export interface ScriptCheckOptions {
  /** The environment the command runs with, for reading git configuration (HOME). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Checks a command line and, through it, the scripts it runs from files (found by the shell
 * module's `scriptRunsOf`: `bash x.sh`, `./x.sh`, `source x.sh`, package scripts, Makefile
 * recipes). The files are read here, from this machine, just before the command runs, so what is
 * checked is what would run.
 */
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
  const written = writtenPaths(command.parts, cwd);
  for (const run of depth < MAX_DEPTH ? scriptRunsOf(command.parts, cwd, localFiles) : []) {
    const script = written.has(run.file)
      ? { problem: 'is written by the same command, so it cannot be checked before it runs' }
      : await readScript(run);
    if (script === null) continue;
    scripts.push(run.file);
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

/** A package script with its `pre`/`post` hooks; null when it has none or package.json is unreadable. */
async function readPackageScript(file: string, name: string): Promise<ScriptText> {
  const json = await localFiles.readText(file);
  const text = json === null ? null : packageScriptText(json, name);
  return text === null ? null : { text };
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
