/**
 * Flags match however they are spelled. A rule token that is an option (`-rf`, `--force`) is not
 * compared with the command's token at that position but with the command's whole option set:
 * short clusters are split into letters (`-rfv` is `-r -f -v`), long options lose their `=value`,
 * known synonyms share one key (`rm -R` = `-r` = `--recursive`), and an abbreviated long option
 * (`--forc`, which git and getopt_long accept) counts as the option it abbreviates. The rule's
 * other tokens (program, subcommand, operands) must still be the command's first operands, in order.
 */

/**
 * Spellings of one option, first one canonical, per tool (git: per subcommand). `-D=-d -f` says a
 * spelling stands for several options at once.
 */
const SYNONYMS: Record<string, readonly string[]> = {
  rm: ['-r -R --recursive', '-f --force', '-d --dir', '-i', '-I', '-v --verbose'],
  cp: ['-r -R --recursive', '-f --force', '-a --archive', '-l --link', '-s --symbolic-link'],
  mv: ['-f --force', '-n --no-clobber', '-u --update'],
  ln: ['-s --symbolic', '-f --force'],
  chmod: ['-R --recursive', '-v --verbose'],
  chown: ['-R --recursive', '-v --verbose'],
  chgrp: ['-R --recursive', '-v --verbose'],
  rsync: ['-r --recursive', '--delete', '-a --archive'],
  shred: ['-u --remove', '-f --force', '-z --zero'],
  'git push': [
    '-f --force',
    '-d --delete',
    '-u --set-upstream',
    '--force-with-lease',
    '--force-if-includes',
    '--mirror',
    '--all',
    '--tags',
    '--prune',
  ],
  'git reset': ['--hard', '--soft', '--mixed', '--keep', '--merge'],
  'git clean': ['-f --force', '-d', '-x', '-X', '-n --dry-run', '-i --interactive', '-q --quiet'],
  'git checkout': ['-f --force', '-b', '-B', '--ours', '--theirs'],
  'git switch': ['-f --force --discard-changes', '-c --create', '-C --force-create'],
  'git branch': ['-d --delete', '-D=-d -f', '-f --force', '-m --move', '-M=-m -f', '-c --copy'],
  'git tag': ['-d --delete', '-f --force'],
  'git commit': ['-a --all', '-m --message', '--amend', '-n --no-verify'],
  curl: ['-o --output', '-O --remote-name', '-X --request', '-d --data', '-T --upload-file', '-k --insecure'],
  wget: ['-O --output-document', '-q --quiet', '-r --recursive'],
  find: ['-delete', '-exec', '-execdir', '-ok', '-okdir'],
  sed: ['-i --in-place', '-n --quiet --silent', '-e --expression'],
  npm: ['-f --force', '-g --global'],
  docker: ['-f --force', '-a --all', '-v --volumes'],
  kubectl: ['-A --all-namespaces', '--all', '--force'],
};

// Tools whose single-dash options are words (`find -delete`), never letter clusters.
const WORD_OPTION_TOOLS = new Set(['find', 'java', 'javac', 'go', 'ffmpeg', 'xcodebuild', 'clang', 'gcc']);

interface ToolOptions {
  /** spelling → canonical keys */
  readonly keys: ReadonlyMap<string, readonly string[]>;
  /** Every long spelling, for abbreviations. */
  readonly longs: readonly string[];
}

const TABLES = new Map<string, ToolOptions>();

const NO_SYNONYMS: ToolOptions = { keys: new Map(), longs: [] };

function toolOptions(tool: string): ToolOptions {
  // Only the tools of the table are kept: commands name arbitrary tools and git subcommands.
  if (!Object.hasOwn(SYNONYMS, tool)) return NO_SYNONYMS;
  let table = TABLES.get(tool);
  if (table !== undefined) return table;
  const groups = SYNONYMS[tool] as readonly string[];
  const keys = new Map<string, readonly string[]>();
  const expansions: [string, string[]][] = [];
  for (const group of groups) {
    // `-D=-d -f`: the rest of the group after `=` is what the spelling stands for.
    const expansion = /^(\S+)=(.*)$/.exec(group);
    if (expansion) {
      expansions.push([expansion[1] as string, (expansion[2] as string).split(' ')]);
      continue;
    }
    const spellings = group.split(' ');
    for (const s of spellings) keys.set(s, [spellings[0] as string]);
  }
  for (const [spelling, parts] of expansions)
    keys.set(
      spelling,
      parts.flatMap((p) => keys.get(p) ?? [p]),
    );
  table = { keys, longs: [...keys.keys()].filter((k) => k.startsWith('--')) };
  TABLES.set(tool, table);
  return table;
}

export function isOptionToken(token: string): boolean {
  return token.length > 1 && token[0] === '-' && token !== '--';
}

/** The keys one option token stands for, for `tool`. */
export function optionKeys(tool: string, token: string): string[] {
  const table = toolOptions(tool);
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    const known = table.keys.get(name);
    if (known) return [...known];
    // getopt_long and git accept any unambiguous prefix of a long option.
    if (name.length >= 5) {
      for (const long of table.longs) {
        if (long !== name && long.startsWith(name)) return table.keys.get(long)?.slice() ?? [long];
      }
    }
    return [name];
  }
  const whole = table.keys.get(token);
  if (whole) return [...whole];
  if (WORD_OPTION_TOOLS.has(tool.split(' ')[0] as string) || /^-\d/.test(token)) return [token];
  const out: string[] = [];
  for (const letter of token.slice(1)) {
    const short = `-${letter}`;
    for (const k of table.keys.get(short) ?? [short]) out.push(k);
  }
  return out;
}

/** The tool key: the program, and for git its subcommand (options belong to the subcommand). */
function toolOf(argv: readonly string[], firstOperand: string | undefined): string {
  const slash = (argv[0] as string).lastIndexOf('/');
  const program = (argv[0] as string).slice(slash + 1);
  return program === 'git' && firstOperand !== undefined ? `git ${firstOperand}` : program;
}

/** An option-aware rule, split once: positional tokens in order, option alternatives as key sets. */
export interface OptionPattern {
  readonly positional: readonly (readonly string[])[];
  readonly options: readonly (readonly (readonly string[])[])[];
}

/** What option matching needs of a prefix rule: its program and one alternative set per position. */
export interface PrefixPattern {
  readonly program: string;
  readonly tail: readonly (readonly string[])[];
}

const PATTERNS = new WeakMap<PrefixPattern, OptionPattern | null>();

/** null when the rule has no option token (exact prefix matching is all there is). */
export function optionPattern(rule: PrefixPattern): OptionPattern | null {
  let pattern = PATTERNS.get(rule);
  if (pattern !== undefined) return pattern;
  const positional = rule.tail.filter((alts) => !alts.every(isOptionToken));
  const optionAlts = rule.tail.filter((alts) => alts.length > 0 && alts.every(isOptionToken));
  if (optionAlts.length === 0) pattern = null;
  else {
    const tool =
      rule.program === 'git' && positional[0]?.length === 1 ? `git ${positional[0][0]}` : rule.program;
    pattern = { positional, options: optionAlts.map((alts) => alts.map((a) => optionKeys(tool, a))) };
  }
  PATTERNS.set(rule, pattern);
  return pattern;
}

export type OptionMatch = 'match' | 'maybe' | undefined;

/** A command's operands and option set, worked out once and compared with every option rule. */
export interface CommandOptions {
  readonly argv: readonly string[];
  readonly operands: readonly number[];
  readonly dynamic: readonly boolean[] | undefined;
  /** Some word is known only at run time, or arguments will be appended: any option may be there. */
  readonly open: boolean;
  readonly have: ReadonlySet<string>;
  /** Long options as written, for abbreviations of options the synonym table does not know. */
  readonly longs: readonly string[];
}

export function commandOptions(
  argv: readonly string[],
  dynamic: readonly boolean[] | undefined,
  openTail: boolean,
): CommandOptions {
  const operands: number[] = [];
  const optionTokens: string[] = [];
  let open = openTail;
  let afterDashes = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (dynamic?.[i]) open = true;
    if (!afterDashes && a === '--') afterDashes = true;
    else if (!afterDashes && isOptionToken(a)) optionTokens.push(a);
    else operands.push(i);
  }
  const tool = toolOf(argv, operands[0] === undefined ? undefined : argv[operands[0]]);
  const have = new Set<string>();
  for (const t of optionTokens) for (const k of optionKeys(tool, t)) have.add(k);
  // `git push origin +main` forces the push as much as `--force` does,
  // and `git push origin :topic` deletes `topic` as much as `--delete` does.
  if (tool === 'git push') {
    if (operands.some((i) => (argv[i] as string).startsWith('+'))) have.add('-f');
    if (operands.some((i) => (argv[i] as string).startsWith(':'))) have.add('-d');
  }
  const longs = optionTokens.filter((t) => t.startsWith('--')).map((t) => t.replace(/=.*$/, ''));
  return { argv, operands, dynamic, open, have, longs };
}

/** Has the command this option key, spelled out or abbreviated (`--forc` for `--force-with-lease`)? */
function hasKey(cmd: CommandOptions, key: string): boolean {
  if (cmd.have.has(key)) return true;
  return key.startsWith('--') && cmd.longs.some((l) => l.length >= 5 && key.startsWith(l));
}

/**
 * Does the command match the rule with options compared as sets? 'maybe' when values known only
 * at run time or appended arguments could make it match.
 */
export function matchOptions(pattern: OptionPattern, cmd: CommandOptions): OptionMatch {
  const { argv, operands, dynamic } = cmd;
  let uncertain = false;
  for (let p = 0; p < pattern.positional.length; p++) {
    const at = operands[p];
    if (at === undefined) {
      if (!cmd.open) return undefined;
      uncertain = true;
      continue;
    }
    if (dynamic?.[at]) uncertain = true;
    else if (!(pattern.positional[p] as readonly string[]).includes(argv[at] as string)) return undefined;
  }
  for (const alternatives of pattern.options) {
    if (alternatives.some((keys) => keys.every((k) => hasKey(cmd, k)))) continue;
    if (!cmd.open) return undefined;
    uncertain = true;
  }
  return uncertain ? 'maybe' : 'match';
}
