import { scanOptions, spec } from './option-scan.js';
import { joinPath, resolvePath } from './posix-path.js';
import type { FileReader } from './file-reader.js';

/**
 * `make` runs the recipes of the targets it builds, so `make deploy` answers for what `deploy`'s
 * recipe (and its prerequisites' recipes) would run, as package scripts do for `npm test`. The
 * Makefile is read enough to find targets, prerequisites, recipes and plain variables; what make
 * would compute while it runs (`include`, `$(shell …)`, `$(eval …)`, another SHELL) cannot be
 * checked beforehand and is reported as a problem (at least `prompt`).
 */
export interface MakeInvocation {
  /** The directory make runs in (`-C`). */
  readonly dir: string;
  /** Makefiles given with `-f`; empty for the default names. */
  readonly files: readonly string[];
  readonly targets: readonly string[];
  /** `VAR=value` operands: they override the Makefile's definitions. */
  readonly overrides: ReadonlyMap<string, string>;
  /** `-n`, `-q`, `-t`: recipes are printed or skipped, except `+` lines and `$(MAKE)` lines. */
  readonly dryRun: boolean;
  /** Options that let make run something the Makefile does not show (`--eval`, `-f -`, `-e`). */
  readonly problems: readonly string[];
}

export const MAKE_PROGRAMS = new Set(['make', 'gmake', 'bmake']);

const MAKE_OPTIONS = spec(
  '-C --directory -f --file --makefile -I --include-dir -j --jobs -l --load-average --max-load -o --old-file --assume-old -W --what-if --new-file --assume-new -E --eval -O --output-sync --debug --jobserver-auth --shuffle',
  '-b -m -B --always-make -d -e --environment-overrides -i --ignore-errors -k --keep-going -L --check-symlink-times -n --just-print --dry-run --recon -p --print-data-base -q --question -r --no-builtin-rules -R --no-builtin-variables -s --silent --quiet -S --no-keep-going --stop -t --touch --trace -v --version -w --print-directory --no-print-directory --warn-undefined-variables --no-silent',
);
const DRY_RUN = new Set(['-n', '--just-print', '--dry-run', '--recon', '-q', '--question', '-t', '--touch']);

/** How `make ARGS…` (run in `cwd`) is invoked. Like GNU make, options may follow operands. */
export function makeInvocation(args: readonly string[], cwd: string): MakeInvocation {
  const argv = ['make', ...args];
  let dir = cwd;
  const files: string[] = [];
  const problems: string[] = [];
  const operands: string[] = [];
  let dryRun = false;
  for (let i = 1; i < argv.length;) {
    const scan = scanOptions(argv, i, MAKE_OPTIONS);
    for (const [opt, value] of scan.values) {
      if (opt === '-C' || opt === '--directory') dir = resolvePath(dir, value);
      else if (opt === '-f' || opt === '--file' || opt === '--makefile') files.push(value);
      else if (opt === '-E' || opt === '--eval')
        problems.push('`make --eval` runs make code from the command line');
    }
    for (const a of argv.slice(i, scan.operand)) {
      if (DRY_RUN.has(a) || /^-[a-zA-Z]*[nqt]/.test(a)) dryRun = true;
      if (a === '-e' || a === '--environment-overrides')
        problems.push('`make -e` lets the environment override the Makefile');
    }
    for (const u of scan.unknown) problems.push(`unrecognised option \`${u}\` of \`make\``);
    // After `--` everything is an operand.
    if (argv[scan.operand - 1] === '--') {
      operands.push(...argv.slice(scan.operand));
      break;
    }
    if (scan.operand < argv.length) operands.push(argv[scan.operand] as string);
    i = scan.operand + 1;
  }
  if (files.includes('-')) problems.push('`make -f -` reads the Makefile from standard input');
  // `make -C "$DIR" "$TARGET"`: which Makefile and which recipes are only known at run time.
  const computed = [dir, ...files, ...operands].find((w) => /[$`*?[]/.test(w));
  if (computed !== undefined) problems.push(`\`${computed}\` of \`make\` is computed at run time`);
  const targets: string[] = [];
  const overrides = new Map<string, string>();
  for (const a of operands) {
    const assignment = /^([A-Za-z0-9_.-]+)\s*[:?+]?=(.*)$/s.exec(a);
    if (assignment) overrides.set(assignment[1] as string, assignment[2] as string);
    else targets.push(a);
  }
  return { dir, files: files.map((f) => resolvePath(dir, f)), targets, overrides, dryRun, problems };
}

/** The Makefile make would read, or null when there is none (make fails and runs nothing). */
export function makefileOf(run: MakeInvocation, files: Pick<FileReader, 'exists'>): string | null {
  if (run.files.length > 0) return run.files[0] as string;
  for (const name of ['GNUmakefile', 'makefile', 'Makefile']) {
    const file = joinPath(run.dir, name);
    if (files.exists(file)) return file;
  }
  return null;
}

interface Rule {
  readonly prerequisites: string[];
  readonly recipe: string[];
}

interface Makefile {
  readonly rules: Map<string, Rule>;
  readonly patternRules: { target: string; rule: Rule }[];
  readonly variables: Map<string, string>;
  readonly firstTarget: string | undefined;
  readonly problems: string[];
}

/** The recipe lines `run` would execute, as one shell text, with what could not be checked. */
export async function makeRecipes(
  run: MakeInvocation,
  files: FileReader,
): Promise<{ text: string; problems: string[] } | null> {
  const sources: string[] = [];
  for (const file of run.files.length > 0 ? run.files : [makefileOf(run, files)]) {
    if (file === null) return null;
    const text = await files.readText(file);
    if (text === null) return null;
    sources.push(text);
  }
  const makefile = parseMakefile(sources.join('\n'));
  for (const [name, value] of run.overrides) makefile.variables.set(name, value);
  const problems = [...run.problems, ...makefile.problems];
  if (run.overrides.has('SHELL') || run.overrides.has('.SHELLFLAGS'))
    problems.push('the command line sets the shell make runs recipes with');
  const lines: string[] = [];
  const visited = new Set<string>();
  const goals = run.targets.length > 0 ? run.targets : makefile.firstTarget ? [makefile.firstTarget] : [];
  for (const goal of goals) collectRecipes(makefile, goal, visited, lines, problems, 0);
  const runnable = run.dryRun ? lines.filter((l) => l.startsWith('+') || /\$[({]MAKE[)}]/.test(l)) : lines;
  const text = runnable.map((l) => expand(makefile, l.replace(/^[@+\-\s]+/, ''), problems)).join('\n');
  return { text, problems: [...new Set(problems)] };
}

function collectRecipes(
  makefile: Makefile,
  target: string,
  visited: Set<string>,
  lines: string[],
  problems: string[],
  depth: number,
): void {
  if (visited.has(target) || depth > 64) return;
  visited.add(target);
  let rule = makefile.rules.get(target);
  let stem = target;
  if (rule === undefined || rule.recipe.length === 0) {
    for (const p of makefile.patternRules) {
      const [before, after] = p.target.split('%') as [string, string];
      if (
        target.startsWith(before) &&
        target.endsWith(after) &&
        target.length >= before.length + after.length
      ) {
        stem = target.slice(before.length, target.length - after.length);
        const prerequisites = [
          ...(rule?.prerequisites ?? []),
          ...p.rule.prerequisites.map((q) => q.replace('%', stem)),
        ];
        rule = { prerequisites, recipe: p.rule.recipe };
        break;
      }
    }
  }
  if (rule === undefined) return; // a plain file: nothing to run
  for (const p of rule.prerequisites) collectRecipes(makefile, p, visited, lines, problems, depth + 1);
  for (const line of rule.recipe) {
    lines.push(
      line
        .replace(/\$[@]|\$\(@\)/g, target)
        .replace(/\$[<]|\$\(<\)/g, rule.prerequisites[0] ?? '')
        .replace(/\$[\^+?]/g, rule.prerequisites.join(' '))
        .replace(/\$\*/g, stem),
    );
  }
}

const ASSIGNMENT = /^(?:(?:export|override)\s+)*([A-Za-z0-9_.-]+)\s*(::?=|:::=|\?=|\+=|!=|=)\s*(.*)$/s;

export function parseMakefile(source: string): Makefile {
  const makefile: Makefile = {
    rules: new Map(),
    patternRules: [],
    variables: new Map(),
    firstTarget: undefined,
    problems: [],
  };
  let current: Rule[] = [];
  let first: string | undefined;
  for (const line of source.replace(/\\\n[ \t]*/g, ' ').split('\n')) {
    if (line.startsWith('\t')) {
      for (const rule of current) rule.recipe.push(line.slice(1));
      continue;
    }
    const text = line.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (text === '') continue;
    const directive = /^(-?include|sinclude|define|vpath|load|-load)\b/.exec(text)?.[1];
    if (directive !== undefined) {
      makefile.problems.push(`the Makefile uses \`${directive}\`, which cannot be followed before make runs`);
      current = [];
      continue;
    }
    if (/^(ifeq|ifneq|ifdef|ifndef|else|endif|endef|unexport|export)\b/.test(text) && !ASSIGNMENT.test(text))
      continue;
    const assignment = ASSIGNMENT.exec(text);
    if (assignment) {
      assign(makefile, assignment[1] as string, assignment[2] as string, assignment[3] as string);
      current = [];
      continue;
    }
    const colon = text.search(/::?(?!=)/);
    if (colon < 0) {
      makefile.problems.push(`the Makefile line \`${text.slice(0, 40)}\` is not understood`);
      continue;
    }
    const targets = text.slice(0, colon).trim().split(/\s+/);
    let rest = text.slice(colon).replace(/^::?/, '');
    let inline: string | undefined;
    const semi = rest.indexOf(';');
    if (semi >= 0) [rest, inline] = [rest.slice(0, semi), rest.slice(semi + 1).trim()];
    const prerequisites = rest.replace('|', ' ').trim().split(/\s+/).filter(Boolean);
    current = targets.map((t) => ruleFor(makefile, t));
    for (const rule of current) {
      rule.prerequisites.push(...prerequisites);
      if (inline) rule.recipe.push(inline);
    }
    first ??= targets.find((t) => !t.startsWith('.') && !t.includes('%') && !t.includes('$'));
  }
  return { ...makefile, firstTarget: first };
}

function ruleFor(makefile: Makefile, target: string): Rule {
  const rule: Rule = { prerequisites: [], recipe: [] };
  if (target.includes('%')) {
    makefile.patternRules.push({ target, rule });
    return rule;
  }
  // Targets named twice add prerequisites (and double-colon rules add recipes): one rule per name.
  const existing = makefile.rules.get(target);
  if (existing) return existing;
  makefile.rules.set(target, rule);
  return rule;
}

function assign(makefile: Makefile, name: string, op: string, value: string): void {
  if (op === '!=') makefile.problems.push(`the Makefile sets \`${name}\` from a shell command`);
  if (name === 'SHELL' || name === '.SHELLFLAGS' || name === '.RECIPEPREFIX')
    makefile.problems.push(`the Makefile sets \`${name}\`, which changes how recipes run`);
  if (op === '?=' && makefile.variables.has(name)) return;
  const previous = makefile.variables.get(name);
  makefile.variables.set(name, op === '+=' && previous !== undefined ? `${previous} ${value}` : value);
}

// make's functions that only compute text from text; any other one is left to run time.
const TEXT_FUNCTIONS = new Set(
  'subst patsubst strip findstring filter filter-out sort word wordlist words firstword lastword dir notdir suffix basename addsuffix addprefix join wildcard realpath abspath info warning error if or and'.split(
    ' ',
  ),
);
const BUILTIN_VARIABLES: Record<string, string> = {
  MAKE: 'make',
  RM: 'rm -f',
  CC: 'cc',
  CXX: 'g++',
  AR: 'ar',
};

/** A recipe line with make's variables replaced; a variable make would not know comes from the environment. */
function expand(makefile: Makefile, text: string, problems: string[]): string {
  // `$$` is a literal `$` for the shell: kept aside so that later passes do not expand it.
  let out = text.replace(/\$\$/g, '\0');
  for (let pass = 0; ; pass++) {
    if (pass > 16) {
      problems.push('the Makefile variables nest too deeply to expand');
      break;
    }
    const next = out.replace(
      /\$(\(([^()$]*)\)|\{([^{}$]*)\}|([A-Za-z0-9_]))/g,
      (_whole, _all, paren, brace, single) =>
        expandOne(makefile, (paren ?? brace ?? single) as string, problems),
    );
    if (next === out) break;
    out = next;
  }
  return out.replace(/\0/g, '$');
}

function expandOne(makefile: Makefile, inner: string, problems: string[]): string {
  const fn = /^([a-z-]+)\s+/.exec(inner)?.[1];
  if (fn !== undefined) {
    if (!TEXT_FUNCTIONS.has(fn)) problems.push(`the Makefile computes a recipe with \`$(${fn} …)\``);
    return '';
  }
  const value = makefile.variables.get(inner) ?? BUILTIN_VARIABLES[inner];
  // Not defined here: make takes it from the environment, as the shell would `${NAME}`.
  if (value === undefined) return /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? `\0{${inner}}` : '';
  return value.replace(/\$\$/g, '\0');
}
