import type { Analysis, CommandView } from './command-view.js';
import { scanOptions, spec, type OptionSpec } from './option-scan.js';

/**
 * Programs whose own language can run shell commands: awk (`system()`, `print | "cmd"`,
 * `"cmd" | getline`), sed (the `e` command and the `e` flag of `s`), and vi/vim/ex (`-c '!cmd'`).
 * A command they would run is checked as shell code when it is written out in their program text;
 * one computed while they run is at least `prompt`; a program read from a file is opaque.
 */
export const EXEC_STRING_PROGRAMS = new Set([
  'awk',
  'gawk',
  'mawk',
  'nawk',
  'sed',
  'gsed',
  'vi',
  'vim',
  'nvim',
  'ex',
  'view',
  'vimdiff',
  'rvim',
]);

const AWK = spec(
  '-F --field-separator -v --assign -f --file -e --source -E --exec -i --include -l --load -W',
  '-b --characters-as-bytes -c --traditional -C --copyright -d --dump-variables -D --debug -g --gen-pot -h --help -L --lint -M --bignum -N --use-lc-numeric -n --non-decimal-data -O --optimize -p --profile -P --posix -r --re-interval -s --no-optimize -S --sandbox -t --lint-old -V --version',
);
const SED = spec(
  '-e --expression -f --file -l --line-length',
  '-n --quiet --silent -E -r --regexp-extended -s --separate -z --null-data -u --unbuffered --posix --debug --sandbox --follow-symlinks -b --binary',
);

export function analyzeExecStrings(
  program: string,
  view: CommandView,
  stdinText: string | undefined,
  out: Analysis,
): void {
  if (program.endsWith('awk')) return awkProgram(program, view, out);
  if (program === 'sed' || program === 'gsed') return sedProgram(view, out);
  vimCommands(program, view, stdinText, out);
}

/** The program text: from `-e`/`--source` options, else the first operand; null when read from a file. */
function programText(view: CommandView, s: OptionSpec, inline: string[], files: string[]) {
  const scan = scanOptions(view.argv, 1, s);
  const long = (o: string) => o.replace(/=.*/, '');
  const texts = scan.values.filter(([o]) => inline.includes(long(o))).map(([, v]) => v);
  const fromFile = scan.values.some(([o]) => files.includes(long(o)));
  const dynamicOption = scan.values.length > 0 && view.dynamic.slice(1, scan.operand).some(Boolean);
  if (texts.length > 0 || fromFile) return { texts, fromFile, dynamic: dynamicOption, scan };
  const at = scan.operand;
  const text = view.argv[at];
  return { texts: text === undefined ? [] : [text], fromFile, dynamic: view.dynamic[at] ?? false, scan };
}

function awkProgram(program: string, view: CommandView, out: Analysis): void {
  const { texts, fromFile, dynamic, scan } = programText(
    view,
    AWK,
    ['-e', '--source'],
    ['-f', '--file', '-E', '--exec', '-i', '--include', '-l', '--load'],
  );
  if (scan.values.some(([o]) => o === '-S' || o === '--sandbox')) return;
  if (fromFile) out.opaque.push(`\`${program}\` runs a program from a file`);
  if (dynamic) return void out.floors.push(`the \`${program}\` program is computed at run time`);
  for (const text of texts) {
    const found = awkCommands(text);
    for (const script of found.scripts) out.scripts.push({ script, via: `${program} program` });
    if (found.computed) out.floors.push(`the \`${program}\` program runs a command computed at run time`);
  }
}

type AwkToken =
  { kind: 'string'; value: string } | { kind: 'word'; value: string } | { kind: 'op'; value: string };

/** Commands an awk program runs: `system("…")`, `print | "…"`, `"…" | getline`, and whether any is computed. */
export function awkCommands(text: string): { scripts: string[]; computed: boolean } {
  const tokens = awkTokens(text);
  const scripts: string[] = [];
  let computed = false;
  const literalAt = (i: number, closers: string[]) => {
    const t = tokens[i];
    const next = tokens[i + 1];
    const closes = next === undefined || (next.kind === 'op' && closers.includes(next.value));
    return t?.kind === 'string' && closes ? t.value : undefined;
  };
  tokens.forEach((t, i) => {
    if (t.kind === 'word' && t.value === 'system' && tokens[i + 1]?.value === '(') {
      const literal = literalAt(i + 2, [')']);
      if (literal === undefined) computed = true;
      else scripts.push(literal);
    } else if (t.kind === 'op' && (t.value === '|' || t.value === '|&')) {
      const next = tokens[i + 1];
      if (next?.kind === 'word' && next.value === 'getline') {
        const prev = tokens[i - 1];
        const before = tokens[i - 2];
        // `"cmd" | getline`: a literal that is not the end of a concatenation.
        const alone =
          before === undefined || before.kind === 'op' || /^(print|printf|return)$/.test(before.value);
        if (prev?.kind === 'string' && alone) scripts.push(prev.value);
        else computed = true;
      } else {
        const literal = literalAt(i + 1, [';', '}', '\n', ')']);
        if (literal === undefined) computed = true;
        else scripts.push(literal);
      }
    }
  });
  return { scripts, computed };
}

// After these, `/` starts a regular expression rather than dividing.
const REGEX_AFTER = new Set([
  '(',
  ',',
  ';',
  '{',
  '}',
  '!',
  '~',
  '&&',
  '||',
  '\n',
  '=',
  '==',
  '!=',
  '?',
  ':',
  '&',
  '|',
]);

function awkTokens(text: string): AwkToken[] {
  const tokens: AwkToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ' ' || c === '\t' || c === '\\' || c === '\r') {
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = text[i + 1] as string;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else value += text[i++];
      }
      i++;
      tokens.push({ kind: 'string', value });
    } else if (
      c === '/' &&
      (tokens.length === 0 || REGEX_AFTER.has(tokens[tokens.length - 1]?.value ?? ''))
    ) {
      i++;
      while (i < text.length && text[i] !== '/' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      tokens.push({ kind: 'op', value: 'regex' });
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0] as string;
      tokens.push({ kind: 'word', value: word });
      i += word.length;
    } else {
      const op = /^(\|\||\|&|&&|==|!=|<=|>=|>>|\+\+|--)/.exec(text.slice(i))?.[0] ?? c;
      tokens.push({ kind: 'op', value: op });
      i += op.length;
    }
  }
  return tokens;
}

function sedProgram(view: CommandView, out: Analysis): void {
  const { texts, fromFile, dynamic, scan } = programText(view, SED, ['-e', '--expression'], ['-f', '--file']);
  if (scan.values.some(([o]) => o === '--sandbox') || view.argv.includes('--sandbox')) return;
  if (fromFile) out.opaque.push('`sed` runs a script from a file');
  if (dynamic) return void out.floors.push('the `sed` script is computed at run time');
  const found = sedCommands(texts.join('\n'));
  for (const script of found.scripts) out.scripts.push({ script, via: 'sed e' });
  if (found.computed) out.floors.push('the `sed` script runs text it computes as a command');
}

/** Shell commands a sed script runs: `e COMMAND`, and `e` / `s///e`, which run computed text. */
export function sedCommands(script: string): { scripts: string[]; computed: boolean } {
  const scripts: string[] = [];
  let computed = false;
  let i = 0;
  const restOfLine = () => {
    const end = script.indexOf('\n', i);
    const text = script.slice(i, end < 0 ? script.length : end);
    i = end < 0 ? script.length : end + 1;
    return text;
  };
  const delimited = (d: string) => {
    while (i < script.length && script[i] !== d) i += script[i] === '\\' ? 2 : 1;
    i++;
  };
  while (i < script.length) {
    // Addresses: numbers, `$`, `/re/`, `\cREc`, ranges, steps and negation.
    while (i < script.length && /[\s;0-9$,!~+{}]/.test(script[i] as string)) i++;
    if (script[i] === '/') {
      i++;
      delimited('/');
      continue;
    }
    if (script[i] === '\\') {
      const d = script[i + 1] as string;
      i += 2;
      delimited(d);
      continue;
    }
    const cmd = script[i++];
    if (cmd === undefined) break;
    if (cmd === 's' || cmd === 'y') {
      const d = script[i++] as string;
      delimited(d); // the pattern
      const replacementStart = i;
      delimited(d);
      const replacement = script.slice(replacementStart, i - 1);
      const flags = /^[^;\n}]*/.exec(script.slice(i))?.[0] ?? '';
      if (cmd === 's' && /^[gpiImM0-9]*e/.test(flags)) {
        computed = true;
        scripts.push(replacement.replace(/\\(.)/g, '$1'));
      }
      if (/^[gpiImMe0-9]*w/.test(flags)) restOfLine();
      else i += /^[gpiImMe0-9]*/.exec(flags)?.[0].length ?? 0;
    } else if (cmd === 'e') {
      const command = restOfLine().trim();
      if (command === '') computed = true;
      else scripts.push(command);
    } else if ('aic'.includes(cmd)) {
      // Text to the end of the line, continued over lines that end with a backslash.
      while (restOfLine().endsWith('\\') && i < script.length);
    } else if ('rRwWbtT:'.includes(cmd)) {
      restOfLine();
    }
  }
  return { scripts, computed };
}

/**
 * vi/vim/ex commands given with `-c`, `+`, `--cmd`, or fed on standard input to `ex`/`vim -e`:
 * `!cmd`, `r !cmd`, `w !cmd`, `silent !cmd`, `call system("cmd")`, `terminal cmd`.
 */
function vimCommands(program: string, view: CommandView, stdinText: string | undefined, out: Analysis): void {
  const commands: string[] = [];
  let computed = false;
  // In ex mode (`ex`, `vim -e`, `vim -es`) `-s` means silent, not a script file.
  const ex = program === 'ex' || view.argv.some((a) => /^-[a-zA-Z]*e/.test(a) && !a.startsWith('--'));
  view.argv.forEach((a, i) => {
    if (i === 0) return;
    if ((a === '-c' || a === '--cmd') && i + 1 < view.argv.length) {
      commands.push(view.argv[i + 1] as string);
      computed ||= view.dynamic[i + 1] ?? false;
    } else if (a.startsWith('+') && a.length > 1) {
      commands.push(a.slice(1));
      computed ||= view.dynamic[i] ?? false;
    } else if (a === '-S' || (a === '-s' && !ex) || a === '-u' || a === '-U') {
      out.opaque.push(`\`${program} ${a}\` runs editor commands from a file`);
    }
  });
  if (ex && stdinText !== undefined) commands.push(...stdinText.split('\n'));
  for (const c of commands) {
    const found = vimShellCommand(c);
    if (found === 'computed') computed = true;
    else if (found !== undefined) out.scripts.push({ script: found, via: `${program} command` });
  }
  if (computed) out.floors.push(`\`${program}\` runs editor commands computed at run time`);
}

function vimShellCommand(command: string): string | 'computed' | undefined {
  const c = command.replace(/^[\s:]*([.$%,+\-0-9]|'[a-z<>])*\s*(sil(ent)?!?\s*)?/, '');
  const bang = /^(r(ead)?|w(rite)?|\d*,?\d*)?\s*!(.*)$/s.exec(c);
  if (bang) return bang[4]?.trim() || 'computed';
  const call = /\b(system|systemlist|jobstart|job_start)\s*\(\s*(['"])(.*?)\2\s*[,)]/.exec(c);
  if (call) return call[3];
  if (/\b(system|systemlist|jobstart|job_start|exe(cute)?|py(thon)?3?|lua|perl|ruby)\b/.test(c))
    return 'computed';
  const term = /^(ter(minal)?|sh(ell)?)\b\s*(.*)$/.exec(c);
  if (term) return term[4]?.trim() || 'computed';
  return undefined;
}

// Calls that hand a string (or an argv list) to the operating system in Python, Perl, Ruby, PHP, Node.
const EXEC_CALL =
  /\b(system|popen|check_output|check_call|call|run|Popen|getoutput|getstatusoutput|execSync|exec|execFileSync|execFile|spawnSync|spawn|execa|execvp|execv|shell_exec|passthru|proc_open)\s*\(/g;
const SHELL_ONLY_CALLS =
  /^(system|popen|execSync|shell_exec|passthru|getoutput|getstatusoutput|Popen|check_output|spawnSync|spawn)$/;
const LITERAL = /^\s*[rbuf]?(["'`])((?:\\.|(?!\1)[^\\])*)\1/;

/**
 * Commands in inline interpreter code (`python -c`, `perl -e`, `node -e`…): literal arguments of
 * system/exec-like calls, backticks and `qx{}`. What they run when computed is only at run time.
 */
export function inlineCodeCommands(code: string): { scripts: string[]; computed: boolean } {
  const scripts: string[] = [];
  let computed = false;
  for (const m of code.matchAll(EXEC_CALL)) {
    const words = literalArguments(code.slice((m.index ?? 0) + m[0].length));
    if (words === null) computed ||= SHELL_ONLY_CALLS.test(m[1] as string);
    else scripts.push(words.length === 1 ? (words[0] as string) : words.map(quoteWord).join(' '));
  }
  for (const m of code.matchAll(/`([^`]+)`|\bqx\s*([({[/|])([^)}\]/|]*)/g)) {
    const text = m[1] ?? m[3] ?? '';
    if (/[$@#]\{?\w/.test(text)) computed = true;
    scripts.push(text);
  }
  return { scripts, computed };
}

/** `"git", "push"` or `["git", "push"]` up to the closing `)`; null when an argument is not a literal. */
function literalArguments(rest: string): string[] | null {
  const words: string[] = [];
  let text = rest;
  for (;;) {
    text = text.replace(/^[\s[,]*/, '');
    if (/^[\])]/.test(text) || text === '') return words.length > 0 ? words : null;
    const m = LITERAL.exec(text);
    if (!m) return words.length > 0 && /^\s*(,|\))/.test(text) ? words : null;
    words.push((m[2] as string).replace(/\\(.)/g, '$1'));
    text = text.slice(m[0].length);
    // Keyword arguments and the like (`shell=True`) end the list of words.
    if (/^\s*,\s*\w+\s*=/.test(text)) return words;
  }
}

function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
