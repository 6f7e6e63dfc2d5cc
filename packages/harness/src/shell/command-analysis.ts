import { type Analysis, type CommandView, emptyAnalysis, programName, viewOf } from './command-view.js';
import type { GitAliasLookup } from './git-aliases.js';
import {
  analyzeGitConfig,
  analyzeGitSubcommand,
  isPlainGit,
  resolveConfiguredAlias,
} from './git-analysis.js';
import { hasGlobalOptions, withoutGlobalOptions } from './global-options.js';
import { analyzeExecStrings, EXEC_STRING_PROGRAMS, inlineCodeCommands } from './exec-strings.js';
import { isWrapper, unwrap, WRAPPER_NAMES, wrapperAssignments } from './wrappers.js';

/**
 * Turns one simple command into everything that must be checked: the argv as written, the commands
 * run by wrappers, the argv without global options, and shell code it hands to another shell.
 */
const SHELLS = new Set([
  'bash',
  'sh',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'ash',
  'fish',
  'yash',
  'posh',
  'rbash',
  'tcsh',
  'csh',
]);
const DECLARATIONS = new Set(['export', 'declare', 'typeset', 'readonly', 'local']);
const MAX_DEPTH = 8;
const NO_STDIN: CommandContext = { assignments: [], stdinFed: false };

// Variables that decide which program runs or inject code into the one that does.
const DANGEROUS_ENV =
  /^(PATH|LD_[A-Z_]+|DYLD_[A-Z_]+|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|IFS|GIT_SSH|GIT_SSH_COMMAND|GIT_EXEC_PATH|GIT_EDITOR|GIT_PAGER|GIT_ASKPASS|GIT_CONFIG[A-Z_0-9]*|GIT_EXTERNAL_DIFF|GIT_PROXY_COMMAND|GIT_TEMPLATE_DIR|PAGER|EDITOR|VISUAL|SSH_ASKPASS|NODE_OPTIONS|PERL5OPT|RUBYOPT|BROWSER)$/;

const INLINE_CODE: [RegExp, readonly string[]][] = [
  [/^(python|pypy)(\d+(\.\d+)*)?$/, ['-c']],
  [/^(node|nodejs|bun)$/, ['-e', '--eval', '-p', '--print']],
  [/^perl[\d.]*$/, ['-e', '-E']],
  [/^ruby[\d.]*$/, ['-e']],
  [/^php[\d.]*$/, ['-r']],
  [/^(lua|luajit)[\d.]*$/, ['-e']],
  [/^(osascript|Rscript)$/, ['-e']],
  [/^(pwsh|powershell)$/, ['-c', '-command', '-encodedcommand', '-ec', '-e']],
];

// Programs analyzeView does more for than look them up (all but the global-option tools), and
// every interpreter of INLINE_CODE in one test (each pattern is anchored on its own).
const SPECIAL_PROGRAMS = new Set([
  ...WRAPPER_NAMES,
  ...SHELLS,
  ...DECLARATIONS,
  ...EXEC_STRING_PROGRAMS,
  'eval',
  'trap',
  'alias',
  'find',
  'fd',
  'fdfind',
  'deno',
]);
const INLINE_PROGRAM = new RegExp(INLINE_CODE.map(([re]) => `(?:${re.source})`).join('|'));

export interface CommandContext {
  readonly assignments: readonly string[];
  readonly stdinFed: boolean;
  readonly stdinText?: string | undefined;
  /** Git aliases from the configuration of the directory the command runs in. */
  readonly gitAliases?: GitAliasLookup | undefined;
}

/** The context of a command run by another one: its own standard input, the same git configuration. */
function innerContext(ctx: CommandContext): CommandContext {
  return ctx.gitAliases === undefined ? NO_STDIN : { ...NO_STDIN, gitAliases: ctx.gitAliases };
}

export function analyzeCommand(
  argv: readonly string[],
  dynamic: readonly boolean[],
  ctx: CommandContext,
): Analysis {
  const out = emptyAnalysis();
  checkAssignments(ctx.assignments, out);
  analyzeView(viewOf(argv, dynamic), ctx, out, 0);
  // Several views can find the same script or reason; each is kept once (usually there are none).
  const seen = new Set<string>();
  const scripts =
    out.scripts.length < 2
      ? out.scripts
      : out.scripts.filter((s) => !seen.has(s.script) && seen.add(s.script));
  return { views: out.views, scripts, floors: unique(out.floors), opaque: unique(out.opaque) };
}

/** The list without repeats, first occurrences kept; short lists (the usual case) are returned as is. */
export function unique(list: string[]): string[] {
  return list.length < 2 ? list : [...new Set(list)];
}

/**
 * How analyzeView treats a first token: `plain` looks it up and nothing more, `options` may have
 * global options to remove (and git its config and subcommands), `special` is anything else.
 */
type ProgramKind = 'plain' | 'options' | 'git' | 'special';

// First tokens repeat, and classifying one takes a path split and a regex: the answers are kept,
// up to a bound so that a stream of distinct names cannot grow the table without limit.
const KINDS = new Map<string, ProgramKind>();
const MAX_KINDS = 4096;

function programKind(first: string): ProgramKind {
  let kind = KINDS.get(first);
  if (kind === undefined) {
    const program = programName(first);
    if (SPECIAL_PROGRAMS.has(program) || INLINE_PROGRAM.test(program) || program.startsWith('git-'))
      kind = 'special';
    else if (program === 'git') kind = 'git';
    else kind = hasGlobalOptions(program) ? 'options' : 'plain';
    if (KINDS.size >= MAX_KINDS) KINDS.clear();
    KINDS.set(first, kind);
  }
  return kind;
}

/**
 * True when analyzeCommand would find nothing but the argv itself: a static argv, no assignments,
 * a program that runs nothing else, no global options in front of its subcommand and, for git, a
 * subcommand that runs nothing else. Most commands are like this, and checking them skips the
 * analysis. Anything doubtful answers false; the tests hold both paths to the same answers.
 */
export function isPlainCommand(
  argv: readonly string[],
  dynamic: readonly boolean[] | undefined,
  assignments: readonly string[],
): boolean {
  if (argv.length === 0 || assignments.length > 0 || dynamic?.includes(true)) return false;
  const kind = programKind(argv[0] as string);
  if (kind === 'plain' || kind === 'special') return kind === 'plain';
  // `docker ps`: no global options to remove (`cargo +nightly` is one).
  const next = argv[1];
  if (next !== undefined && (next[0] === '-' || next[0] === '+')) return false;
  return kind === 'options' || isPlainGit(argv);
}

function analyzeView(view: CommandView, stdin: CommandContext, out: Analysis, depth: number): void {
  out.views.push(view);
  if (view.argv.length === 0) return;
  if (depth > MAX_DEPTH) return void out.floors.push('commands nested too deeply');
  if (view.dynamic[0]) return void out.floors.push('the program name is computed at run time');
  const program = programName(view.argv[0] as string);
  // `git-push`, `/usr/lib/git-core/git-push`: git's programs for its subcommands.
  const gitSub = /^git-([a-z][a-z0-9-]*)$/.exec(program)?.[1];
  if (gitSub !== undefined) {
    const argv = ['git', gitSub, ...view.argv.slice(1)];
    const dynamic = [false, false, ...view.dynamic.slice(1)];
    return analyzeView(
      { ...view, argv, dynamic, via: `${program} is \`git ${gitSub}\`` },
      stdin,
      out,
      depth + 1,
    );
  }
  if (isWrapper(program)) {
    checkAssignments(wrapperAssignments(program, view), out);
    const inner = unwrap(program, view, out);
    if (inner) analyzeView(inner, program === 'xargs' ? innerContext(stdin) : stdin, out, depth + 1);
    return;
  }
  if (SHELLS.has(program)) return analyzeShell(program, view, stdin, out);
  if (program === 'eval') {
    out.floors.push('`eval` runs a string as shell code');
    if (view.dynamic.slice(1).some(Boolean))
      out.floors.push('the code given to `eval` is computed at run time');
    out.scripts.push({ script: view.argv.slice(1).join(' '), via: 'eval' });
    return;
  }
  if (program === 'trap' || program === 'alias') return shellCodeOperands(program, view, out);
  if (DECLARATIONS.has(program)) checkAssignments(view.argv.slice(1), out);
  if ((program === 'source' || program === '.') && view.dynamic[1]) {
    out.floors.push(`the script run by \`${program}\` is computed at run time`);
  }
  if (program === 'find' || program === 'fd' || program === 'fdfind') {
    for (const inner of execViews(program, view)) analyzeView(inner, innerContext(stdin), out, depth + 1);
  }
  inlineInterpreter(program, view, stdin.stdinFed, out);
  if (EXEC_STRING_PROGRAMS.has(program)) analyzeExecStrings(program, view, stdin.stdinText, out);
  const normalized = withoutGlobalOptions(program, view);
  out.views.push(...normalized);
  if (program !== 'git') return;
  const cliAliases = analyzeGitConfig(view, normalized[0], out);
  for (const alias of cliAliases) analyzeView(alias, stdin, out, depth + 1);
  if (cliAliases.length === 0) {
    // `GIT_DIR=… git p`, `HOME=… git p`: the aliases come from configuration that was not read.
    const elsewhere = stdin.assignments.some((a) => /^(GIT_DIR|GIT_WORK_TREE|HOME|XDG_CONFIG_HOME)=/.test(a));
    const lookup = elsewhere ? () => null : stdin.gitAliases;
    const configured = resolveConfiguredAlias(view, normalized[0] ?? view, lookup, out);
    if (configured) analyzeView(configured, stdin, out, depth + 1);
  }
  for (const v of [view, ...normalized]) {
    for (const inner of analyzeGitSubcommand(v, out)) analyzeView(inner, innerContext(stdin), out, depth + 1);
  }
}

function checkAssignments(assignments: readonly string[], out: Analysis): void {
  for (const a of assignments) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(a)?.[1];
    if (name && DANGEROUS_ENV.test(name))
      out.floors.push(`setting \`${name}\` can change which program runs or what it loads`);
  }
}

/** `bash [options] -c SCRIPT`, `sh -lc`, `bash -euo pipefail -c`: find the script (or note stdin). */
function analyzeShell(program: string, view: CommandView, stdin: CommandContext, out: Analysis): void {
  const { argv } = view;
  let i = 1;
  let inline = false;
  let fromStdin = false;
  while (i < argv.length) {
    const a = argv[i] as string;
    if (a === '--' || a === '-') {
      i++;
      break;
    }
    if (a.startsWith('--')) {
      if (a === '--command') inline = true;
      i += a === '--rcfile' || a === '--init-file' ? 2 : 1;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    for (const ch of a.slice(1)) {
      if (ch === 'c') inline = true;
      if (ch === 's') fromStdin = true;
      if (ch === 'o' || ch === 'O') i++;
    }
    i++;
  }
  if (inline) {
    const script = argv[i];
    if (script === undefined) return void out.floors.push(`\`${program} -c\` without a script`);
    if (view.dynamic[i])
      return void out.floors.push(`the script run by \`${program} -c\` is computed at run time`);
    out.scripts.push({ script, via: `${program} -c` });
    return;
  }
  if (i < argv.length && !fromStdin) {
    if (view.dynamic[i]) out.floors.push(`the script run by \`${program}\` is computed at run time`);
    return;
  }
  out.opaque.push(`\`${program}\` reads commands from standard input`);
  // The script is visible when it is a here-document or a static echo: check what it would run.
  if (stdin.stdinText !== undefined) out.scripts.push({ script: stdin.stdinText, via: `${program} (stdin)` });
}

function inlineInterpreter(program: string, view: CommandView, stdinFed: boolean, out: Analysis): void {
  if (program === 'deno' && view.argv[1] === 'eval')
    return void out.opaque.push('`deno eval` runs inline code');
  // Most programs are no interpreter: one combined test before looking for which one it is.
  if (!INLINE_PROGRAM.test(program)) return;
  const flags = INLINE_CODE.find(([re]) => re.test(program))?.[1];
  if (!flags) return;
  let operand: string | undefined;
  for (const a of view.argv.slice(1)) {
    if (!a.startsWith('-') || a === '-') {
      operand = a;
      break;
    }
    const lower = a.toLowerCase();
    const short = flags.filter((f) => f.length === 2).map((f) => f[1] as string);
    const cluster = /^-[A-Za-z]+/.test(a) && !a.startsWith('--') && short.some((l) => a.slice(1).includes(l));
    if (flags.includes(lower) || flags.some((f) => lower.startsWith(`${f}=`)) || cluster) {
      out.opaque.push(`\`${program} ${a.slice(0, 12)}\` runs inline code`);
      const at = view.argv.indexOf(a);
      const code = a.includes('=') ? a.slice(a.indexOf('=') + 1) : view.argv[at + 1];
      if (code === undefined) return;
      if (view.dynamic[at + 1] && !a.includes('='))
        return void out.floors.push(`the code run by \`${program}\` is computed at run time`);
      const found = inlineCodeCommands(code);
      for (const script of found.scripts) out.scripts.push({ script, via: `${program} code` });
      if (found.computed)
        out.floors.push(`the code run by \`${program}\` runs a command computed at run time`);
      return;
    }
    if (a === '-m') return;
  }
  if (stdinFed && (operand === undefined || operand === '-'))
    out.opaque.push(`\`${program}\` runs code from standard input`);
}

/** `find … -exec CMD {} ;` and `fd -x CMD`: the executed command, `{}` being a run-time value. */
function execViews(program: string, view: CommandView): CommandView[] {
  const triggers =
    program === 'find' ? ['-exec', '-execdir', '-ok', '-okdir'] : ['-x', '--exec', '-X', '--exec-batch'];
  const views: CommandView[] = [];
  const { argv } = view;
  for (let i = 1; i < argv.length; i++) {
    if (!triggers.includes(argv[i] as string)) continue;
    let j = i + 1;
    while (j < argv.length && argv[j] !== ';' && argv[j] !== '+') j++;
    const inner = argv.slice(i + 1, j);
    views.push({
      argv: inner,
      dynamic: inner.map((t, k) => t.includes('{}') || (view.dynamic[i + 1 + k] ?? false)),
      openTail: argv[j] === '+' || program !== 'find',
      via: `run by ${program} ${argv[i]}`,
    });
    i = j;
  }
  return views;
}

/**
 * Shell code stored now and run later by the shell itself: `trap 'CODE' EXIT` runs CODE when the
 * script ends, `alias x='CODE'` wherever `x` is used (with expand_aliases). The code is checked as
 * if it ran here.
 */
function shellCodeOperands(program: 'trap' | 'alias', view: CommandView, out: Analysis): void {
  let first = 1;
  if (view.argv[first] === '--') first++;
  const operands = view.argv.slice(first);
  if (operands.some((_, i) => view.dynamic[first + i])) {
    out.floors.push(`the code given to \`${program}\` is computed at run time`);
  }
  if (program === 'trap') {
    // `trap -l` / `trap -p` only print; `trap - SIG` and `trap '' SIG` reset or ignore.
    const action = operands[0];
    if (action !== undefined && !action.startsWith('-')) out.scripts.push({ script: action, via: 'trap' });
    return;
  }
  for (const operand of operands) {
    const eq = operand.indexOf('=');
    if (eq > 0) out.scripts.push({ script: operand.slice(eq + 1), via: 'alias' });
  }
}
