import { describe, expect, it } from 'vitest';
import { awkCommands, inlineCodeCommands, sedCommands } from './exec-strings.js';

describe('commands hidden in other programs’ languages', () => {
  it('finds what an awk program runs, and notices computed commands', () => {
    expect(awkCommands('BEGIN { system("git push") }')).toEqual({ scripts: ['git push'], computed: false });
    expect(awkCommands('{ print $1 | "sort -u" }').scripts).toEqual(['sort -u']);
    expect(awkCommands('BEGIN { while (("date" | getline d) > 0) print d }').scripts).toEqual(['date']);
    expect(awkCommands('BEGIN { c = "rm"; system(c " -rf /") }').computed).toBe(true);
    expect(awkCommands('{ print $1 | cmd }').computed).toBe(true);
    expect(awkCommands('/a|b/ { n += $2 / 3 } END { print n || 0 }')).toEqual({
      scripts: [],
      computed: false,
    });
  });

  it('finds what a sed script runs: the e command and the e flag', () => {
    expect(sedCommands('1e git push')).toEqual({ scripts: ['git push'], computed: false });
    expect(sedCommands('s/.*/git push/e')).toEqual({ scripts: ['git push'], computed: true });
    expect(sedCommands('e')).toEqual({ scripts: [], computed: true });
    expect(sedCommands('1,5p')).toEqual({ scripts: [], computed: false });
    expect(sedCommands('s/e/E/g;/x/d;1i\\\nexec')).toEqual({ scripts: [], computed: false });
    expect(sedCommands('s|a|b|w out.txt')).toEqual({ scripts: [], computed: false });
  });

  it('finds literal commands in inline interpreter code', () => {
    expect(inlineCodeCommands('import os; os.system("git push")').scripts).toEqual(['git push']);
    expect(inlineCodeCommands('subprocess.run(["git", "push", "a b"], check=True)').scripts).toEqual([
      "git push 'a b'",
    ]);
    expect(inlineCodeCommands('print(`ls`)').scripts).toEqual(['ls']);
    expect(inlineCodeCommands('os.system(cmd)').computed).toBe(true);
    expect(inlineCodeCommands('print(1)')).toEqual({ scripts: [], computed: false });
  });
});
