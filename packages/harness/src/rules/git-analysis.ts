import { type Analysis, type CommandView, subView } from './command-view.js';
import { gitConfigPairs } from './global-options.js';
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
const RUNNING_SUBCOMMANDS = new Set(['rebase', 'filter-branch', 'submodule', 'bisect']);

/**
 * A git argv without global options (`argv[1]` is not an option) that the functions below find
 * nothing in: no `-c` config, no `--exec-path=`, a subcommand that runs nothing else.
 */
export function isPlainGit(argv: readonly string[]): boolean {
  if (RUNNING_SUBCOMMANDS.has(argv[1] as string)) return false;
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

/** Commands run by git subcommands themselves; inner argv views are returned for analysis. */
export function analyzeGitSubcommand(view: CommandView, out: Analysis): CommandView[] {
  const [, sub, next] = view.argv;
  const args = view.argv.slice(2);
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
