import { describe, expect, it } from 'vitest';
import { parseShell } from './shell-parser.js';
import { shlexJoin, shlexSplit } from './shlex.js';

const argvs = (line: string) => parseShell(line).commands.map((c) => c.words.map((w) => w.text));
const problems = (line: string) => parseShell(line).problems;

describe('parseShell: operators and structure', () => {
  it.each([
    ['a && b', [['a'], ['b']]],
    ['a || b', [['a'], ['b']]],
    ['a ; b', [['a'], ['b']]],
    ['a;b', [['a'], ['b']]],
    ['a | b', [['a'], ['b']]],
    ['a |& b', [['a'], ['b']]],
    ['a & b', [['a'], ['b']]],
    ['a\nb', [['a'], ['b']]],
    ['a\r\nb', [['a'], ['b']]],
    ['(a; b) && c', [['a'], ['b'], ['c']]],
    ['{ a; b; }', [['a'], ['b']]],
    ['if a; then b; else c; fi', [['a'], ['b'], ['c']]],
    ['while a; do b; done', [['a'], ['b']]],
    ['! a', [['a']]],
    ['for f in x y; do rm "$f"; done', [['rm', '$f']]],
  ])('%j', (line, expected) => {
    expect(argvs(line)).toEqual(expected);
    expect(problems(line)).toEqual([]);
  });

  it('marks subshell and pipeline context', () => {
    const { commands } = parseShell('echo x | bash; (git push)');
    expect(commands.map((c) => [c.words[0]?.text, c.stdinFed, c.origin])).toEqual([
      ['echo', false, 'command'],
      ['bash', true, 'command'],
      ['git', false, 'subshell'],
    ]);
  });
});

describe('parseShell: quoting', () => {
  it.each([
    [`'a b' c`, ['a b', 'c']],
    [`"a b" "x\\"y"`, ['a b', 'x"y']],
    [`a\\ b`, ['a b']],
    [`"g"it`, ['git']],
    [`\\git`, ['git']],
    [`$'\\x72\\x6d' $'a\\nb' $'\\101'`, ['rm', 'a\nb', 'A']],
    [`'it''s'`, ['its']],
    [`"a'b"`, ["a'b"]],
    [`''`, ['']],
    [`a\\\nb`, ['ab']],
    [`"dq \\$HOME"`, ['dq $HOME']],
  ])('%j', (line, expected) => {
    expect(argvs(line)).toEqual([expected]);
  });

  it('keeps operators inside quotes literal', () => {
    expect(argvs(`echo 'a && b; rm -rf /' "| c"`)).toEqual([['echo', 'a && b; rm -rf /', '| c']]);
  });

  it.each([`echo 'open`, `echo "open`, `echo $'open`, 'echo `open', 'echo $(open', 'echo ${open'])(
    'reports %j',
    (line) => {
      expect(problems(line).length).toBeGreaterThan(0);
    },
  );
});

describe('parseShell: substitutions and expansions', () => {
  it('parses $(…), backticks and process substitutions as commands', () => {
    const { commands } = parseShell('echo $(rm -rf /) `git push` <(curl x) "$(whoami)"');
    const found = commands.map((c) => [c.origin, c.words.map((w) => w.text).join(' ')]);
    expect(found).toContainEqual(['substitution', 'rm -rf /']);
    expect(found).toContainEqual(['substitution', 'git push']);
    expect(found).toContainEqual(['process-substitution', 'curl x']);
    expect(found).toContainEqual(['substitution', 'whoami']);
  });

  it('parses nested substitutions', () => {
    expect(argvs('a $(b $(c `d`))')).toEqual([
      ['d'],
      ['c', '`d`'],
      ['b', '$(c `d`)'],
      ['a', '$(b $(c `d`))'],
    ]);
  });

  it('marks run-time values as dynamic', () => {
    const [cmd] = parseShell('x $HOME ${A:-b} *.ts {a,b} [ab] $((1+2)) plain "$1"').commands;
    expect(cmd?.words.map((w) => w.dynamic)).toEqual([
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
  });

  it('does not treat `[` or `{` alone as expansions', () => {
    const [cmd] = parseShell('[ -f x ] && { echo; }').commands;
    expect(cmd?.words.map((w) => [w.text, w.dynamic])).toEqual([
      ['[', false],
      ['-f', false],
      ['x', false],
      [']', false],
    ]);
  });

  it('keeps substitutions inside ${…} and flags them', () => {
    const parsed = parseShell('echo ${x:-$(rm -rf /)}');
    expect(parsed.commands.map((c) => c.words.map((w) => w.text).join(' '))).toContain('rm -rf /');
    expect(parsed.problems[0]).toMatch(/substitution inside/);
  });
});

describe('parseShell: assignments and redirections', () => {
  it('separates leading assignments', () => {
    const [cmd] = parseShell('A=1 B="x y" git status').commands;
    expect(cmd?.assignments).toEqual(['A=1', 'B=x y']);
    expect(cmd?.words.map((w) => w.text)).toEqual(['git', 'status']);
  });

  it('does not take a quoted name= as an assignment', () => {
    const [cmd] = parseShell(`"A=1" ls`).commands;
    expect(cmd?.words.map((w) => w.text)).toEqual(['A=1', 'ls']);
  });

  it('strips redirections from argv and records them', () => {
    const [cmd] = parseShell('git push 2>/dev/null >out.txt &>>log <in 2>&1 3<>f').commands;
    expect(cmd?.words.map((w) => w.text)).toEqual(['git', 'push']);
    expect(cmd?.redirections.map((r) => `${r.op}${r.target}`)).toEqual([
      '>/dev/null',
      '>out.txt',
      '&>>log',
      '<in',
      '>&1',
      '<>f',
    ]);
  });

  it('consumes here-document bodies', () => {
    const parsed = parseShell("cat <<'EOF' > x\nrm -rf /\nEOF\ngit status");
    expect(parsed.commands.map((c) => c.words.map((w) => w.text))).toEqual([['cat'], ['git', 'status']]);
    expect(parsed.commands[0]?.stdinFed).toBe(true);
    expect(parsed.problems).toEqual([]);
  });

  it('exposes what arrives on stdin when the line shows it', () => {
    const stdin = (line: string) => parseShell(line).commands.map((c) => c.stdinText);
    expect(stdin('bash <<EOF\nrm -rf /\nEOF')).toEqual(['rm -rf /\n']);
    expect(stdin('sh <<< "ls"')).toEqual(['ls\n']);
    expect(stdin("echo -n 'a b' | sh")).toEqual([undefined, 'a b\n']);
    expect(stdin('cat <<X | sh\nls\nX')).toEqual(['ls\n', 'ls\n']);
    expect(stdin('echo $X | sh')).toEqual([undefined, undefined]);
  });

  it('handles <<- and reports unterminated or substituting here-documents', () => {
    expect(parseShell('cat <<-EOF\n\tx\n\tEOF\nls').commands).toHaveLength(2);
    expect(problems('cat <<EOF\nnever closed')).toEqual(['unterminated here-document (missing `EOF`)']);
    expect(problems('cat <<EOF\n$(rm -rf /)\nEOF')).toEqual(['command substitution inside a here-document']);
  });
});

describe('parseShell: what it refuses to guess', () => {
  it.each([
    ['case $x in a) rm -rf /;; esac', /case/],
    ['f() { rm -rf /; }; f', /function/],
    ['echo )', /unbalanced/],
    ['echo $((1 + $(rm x)))', /arithmetic/],
    ['(echo', /unterminated subshell/],
  ])('%j', (line, pattern) => {
    expect(problems(line).join('; ')).toMatch(pattern);
  });

  it('still collects the commands inside a function body', () => {
    expect(argvs('f() { rm -rf /; }; f')).toEqual([['rm', '-rf', '/'], ['f']]);
  });

  it('survives very deep nesting without crashing', () => {
    const deep = '$('.repeat(200) + 'x' + ')'.repeat(200);
    expect(problems(`echo ${deep}`)).toContain('nesting too deep');
  });
});

describe('shlexSplit', () => {
  it('splits like POSIX shlex', () => {
    expect(shlexSplit(`git commit -m 'wip: x' "a \\"b\\"" c\\ d`)).toEqual([
      'git',
      'commit',
      '-m',
      'wip: x',
      'a "b"',
      'c d',
    ]);
    expect(() => shlexSplit(`echo 'unterminated`)).toThrow(/invalid shell syntax/);
    expect(shlexJoin(['a b', "it's", 'plain'])).toBe(`'a b' 'it'"'"'s' plain`);
  });
});
