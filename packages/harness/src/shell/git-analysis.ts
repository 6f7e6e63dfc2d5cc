import { type Analysis, type CommandView, subView } from './command-view.js';
import { type GitAliasLookup, isGitBuiltin } from './git-aliases.js';
import { gitConfigPairs } from './global-options.js';
import { scanOptions, spec } from './option-scan.js';
import { shlexSplit } from './shlex.js';

/**
 * git can run arbitrary programs through configuration given on the command line (`-c alias.x=!sh`,
 * `-c core.sshCommand=…`) and through a few subcommands (`rebase --exec`, `bisect run`,
 * `submodule foreach`, `filter-branch --*-filter`). Those are surfaced as scripts or inner commands.
 */
const DANGEROUS_CONFIG =
  /^(alias\.|core\.(sshcommand|pager|editor|askpass|fsmonitor|hookspath|gitproxy)$|diff\.|merge\.|filter\.|credential\.|gpg\.|pager\.|remote\.|difftool\.|mergetool\.|browser\.|man\.|web\.|sequence\.editor$|uploadpack\.|receive\.|include\.|includeif\.|interactive\.|protocol\.|sendemail\.|instaweb\.|init\.templatedir$|ssh\.)/;

const FILTER_OPTIONS = new Set([
  '--tree-filter',
  '--index-filter',
  '--msg-filter',
  '--env-filter',
  '--commit-filter',
  '--parent-filter',
  '--tag-name-filter',
]);

// Subcommands analyzeGitSubcommand looks into.
const RUNNING_SUBCOMMANDS = new Set(['rebase', 'filter-branch', 'submodule', 'bisect', 'config']);

/**
 * A git argv without global options (`argv[1]` is not an option) that the functions below find
 * nothing in: no `-c` config, no `--exec-path=`, a subcommand that runs nothing else.
 */
export function isPlainGit(argv: readonly string[]): boolean {
  const sub = argv[1];
  if (sub !== undefined && (RUNNING_SUBCOMMANDS.has(sub) || !isGitBuiltin(sub))) return false;
  for (const arg of argv) if (arg.startsWith('--exec-path=')) return false;
  return true;
}

/** Inspects `-c` config of the original view; returns extra views (alias expansions) to analyse. */
export function analyzeGitConfig(
  original: CommandView,
  normalized: CommandView | undefined,
  out: Analysis,
): CommandView[] {
  const extra: CommandView[] = [];
  const sub = normalized?.argv[1];
  for (const { key, value, dynamic } of gitConfigPairs(original)) {
    if (DANGEROUS_CONFIG.test(key)) out.floors.push(`\`git -c ${key}=…\` can make git run other programs`);
    if (!key.startsWith('alias.') || sub === undefined || key.slice('alias.'.length) !== sub.toLowerCase())
      continue;
    if (dynamic) {
      out.floors.push(`git alias \`${sub}\` is taken from the environment`);
    } else if (value.startsWith('!')) {
      out.scripts.push({ script: value.slice(1), via: `git alias ${sub}` });
    } else {
      extra.push(expandAlias(normalized as CommandView, value, out));
    }
  }
  for (const arg of original.argv) {
    if (arg.startsWith('--exec-path=')) out.floors.push('`git --exec-path` replaces the programs git runs');
  }
  return extra;
}

function expandAlias(view: CommandView, value: string, out: Analysis): CommandView {
  let words: string[] = [];
  try {
    words = shlexSplit(value);
  } catch {
    out.floors.push(`git alias value \`${value}\` cannot be parsed`);
  }
  return {
    argv: ['git', ...words, ...view.argv.slice(2)],
    dynamic: [false, ...words.map(() => false), ...view.dynamic.slice(2)],
    openTail: view.openTail,
    via: `git alias ${view.argv[1] ?? ''}`,
  };
}

/**
 * `git SUB` where SUB is not git's own command may be an alias from the configuration: its
 * definition is what runs. Returns the expansion to analyse, if any.
 */
export function resolveConfiguredAlias(
  original: CommandView,
  view: CommandView,
  lookup: GitAliasLookup | undefined,
  out: Analysis,
): CommandView | undefined {
  const sub = view.argv[1];
  if (sub === undefined || sub.startsWith('-') || isGitBuiltin(sub)) return undefined;
  if (view.dynamic[1]) return void out.floors.push('the git subcommand is computed at run time');
  // `git -C elsewhere p`: the alias would come from another repository's configuration.
  if (original.argv.some((a) => /^(-C|--git-dir|--work-tree)(=|$)/.test(a)))
    return void out.floors.push(`\`git ${sub}\` may be an alias of another repository`);
  if (lookup === undefined)
    return void out.opaque.push(`\`git ${sub}\` may be an alias, and no git configuration was read`);
  const value = lookup(sub);
  if (value === null)
    return void out.floors.push(`the git configuration that would resolve \`git ${sub}\` could not be read`);
  if (value === undefined) return undefined; // no alias: git runs a `git-${sub}` program, or fails
  if (value.startsWith('!'))
    return void out.scripts.push({ script: value.slice(1), via: `git alias ${sub}` });
  return expandAlias(view, value, out);
}

const CONFIG_OPTIONS = spec(
  '-f --file --blob --type --default --comment --value',
  '--global --system --local --worktree --add --replace-all --bool --int --bool-or-int --path --expiry-date --no-type -z --null --includes --no-includes --fixed-value --append --all',
);

// Modes of `git config` that read or remove, never write a value.
const CONFIG_READS = new Set(
  '--get --get-all --get-regexp --get-urlmatch --get-color --get-colorbool --unset --unset-all -l --list --remove-section --rename-section -e --edit get list unset'.split(
    ' ',
  ),
);

/**
 * `git config [--global] alias.p push` (or `git config set …`): an alias written now runs later,
 * in this command line or the next, so its definition is checked as if it ran here. Writing other
 * keys that make git run programs (`core.pager`, `core.sshCommand`…) is at least `prompt`.
 */
function gitConfigWrite(view: CommandView, out: Analysis): CommandView[] {
  const scan = scanOptions(view.argv, 2, CONFIG_OPTIONS);
  const modes = [...view.argv.slice(2, scan.operand), view.argv[scan.operand] ?? ''];
  if (modes.some((a) => CONFIG_READS.has(a.replace(/=.*$/, '')))) return [];
  let i = scan.operand;
  if (view.argv[i] === 'set') i = scanOptions(view.argv, i + 1, CONFIG_OPTIONS).operand;
  const key = view.argv[i]?.toLowerCase();
  const value = view.argv[i + 1];
  if (key === undefined || value === undefined || !/^[a-z0-9-]+\./.test(key)) return [];
  if (view.dynamic[i] || view.dynamic[i + 1]) {
    if (key.startsWith('alias.') || DANGEROUS_CONFIG.test(key) || view.dynamic[i])
      out.floors.push('git configuration written with values computed at run time');
    return [];
  }
  if (!key.startsWith('alias.')) {
    if (DANGEROUS_CONFIG.test(key))
      out.floors.push(`writing git config \`${key}\` can make git run other programs`);
    return [];
  }
  const name = key.slice('alias.'.length);
  if (value.startsWith('!')) {
    out.scripts.push({ script: value.slice(1), via: `git alias ${name}` });
    return [];
  }
  const expansion = expandAlias({ ...view, argv: ['git', name], dynamic: [false, false] }, value, out);
  return [{ ...expansion, openTail: true }];
}

/** Commands run by git subcommands themselves; inner argv views are returned for analysis. */
export function analyzeGitSubcommand(view: CommandView, out: Analysis): CommandView[] {
  const [, sub, next] = view.argv;
  const args = view.argv.slice(2);
  if (sub === 'config') return gitConfigWrite(view, out);
  if (sub === 'rebase') {
    args.forEach((a, i) => {
      if (a === '--exec' || a === '-x')
        out.scripts.push({ script: args[i + 1] ?? '', via: 'git rebase --exec' });
      else if (a.startsWith('--exec=')) out.scripts.push({ script: a.slice(7), via: 'git rebase --exec' });
    });
  } else if (sub === 'filter-branch') {
    args.forEach((a, i) => {
      if (FILTER_OPTIONS.has(a))
        out.scripts.push({ script: args[i + 1] ?? '', via: `git filter-branch ${a}` });
    });
  } else if (sub === 'submodule' && next === 'foreach') {
    const rest = view.argv.slice(3).filter((a) => a !== '--recursive' && a !== '-q' && a !== '--quiet');
    if (rest.length > 0) out.scripts.push({ script: rest.join(' '), via: 'git submodule foreach' });
  } else if (sub === 'bisect' && next === 'run' && view.argv.length > 3) {
    return [subView(view, 3, 'run by git bisect run')];
  }
  return [];
}
