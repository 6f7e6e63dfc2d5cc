import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from './load-policy.js';
import { checkCommandLineWithScripts } from './script-files.js';

const policy = loadPolicy({
  files: [
    {
      path: 'make.star',
      source: `
prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "Harness pushes")
prefix_rule(pattern = ["rm", ["-rf", "-fr"]], decision = "forbidden")
`,
    },
  ],
});

const dir = mkdtempSync(path.join(tmpdir(), 'harness-make-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  writeFileSync(path.join(dir, name), text);
};
write(
  'Makefile',
  [
    'REMOTE = origin',
    'PUSH := $(GIT) push',
    'GIT = git',
    '.PHONY: all build test deploy release clean',
    'all: build',
    'build:',
    '\t@echo building',
    'test: build ; echo testing',
    'deploy: test',
    '\t$(PUSH) $(REMOTE) HEAD',
    'release: deploy',
    'clean:',
    '\t-rm -r -f out',
    'computed:',
    '\t$(shell cat cmd.txt)',
    'from-env:',
    '\t$(DEPLOY_COMMAND) now',
    'nested:',
    '\t+$(MAKE) -C sub ship',
    '%.pushed: %.src',
    '\tgit push origin $*',
    '',
  ].join('\n'),
);
write('sub/Makefile', 'ship:\n\tgit push\nok:\n\techo ok\n');
write('other.mk', 'include common.mk\nall:\n\techo hi\n');
write('shell.mk', 'SHELL = /usr/bin/python3\nall:\n\tprint(1)\n');

const decide = async (line: string) => (await checkCommandLineWithScripts(policy, line, dir)).decision;

describe('make targets answer for their recipes', () => {
  it.each([
    ['make deploy', 'recipe with variables'],
    ['make release', 'a prerequisite’s recipe'],
    ['make clean', 'recipe with split flags and a `-` prefix'],
    ['make -C sub ship', '`-C dir`'],
    ['make -f sub/Makefile', 'default target of `-f FILE`'],
    ['make nested', '`$(MAKE)` recursion'],
    ['make -n nested', '`+` lines run even under -n'],
    ['make x.pushed', 'a pattern rule'],
    ['timeout 60 make deploy', 'make behind a wrapper'],
  ])('%s is forbidden (%s)', async (line) => expect(await decide(line)).toBe('forbidden'));

  it.each([
    ['make computed', '$(shell …)'],
    ['make from-env', 'a command taken from the environment'],
    ['make -f other.mk', 'include'],
    ['make -f shell.mk', 'another SHELL'],
    ['make --eval=x: build', '--eval'],
  ])('%s is prompt (%s cannot be checked)', async (line) => expect(await decide(line)).toBe('prompt'));

  it.each([
    'make',
    'make test',
    'make -n deploy',
    'make -C sub ok',
    'make no-such-target',
    'make GIT=echo deploy',
  ])('%s stays allowed', async (line) => expect(await decide(line)).toBe('allow'));

  it('tells the deciding reason first', async () => {
    const r = await checkCommandLineWithScripts(policy, 'make deploy', dir);
    expect(r.reason).toMatch(/^the script make deploy runs: forbidden: `git push origin HEAD`/);
  });
});
