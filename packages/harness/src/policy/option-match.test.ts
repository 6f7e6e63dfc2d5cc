import { describe, expect, it } from 'vitest';
import { loadPolicy } from './load-policy.js';

const policy = loadPolicy({
  files: [
    {
      path: 'flags.star',
      source: `
prefix_rule(pattern = ["rm", ["-rf", "-fr"]], decision = "forbidden", justification = "recursive delete")
prefix_rule(pattern = ["git", "push", ["--force", "-f", "--force-with-lease", "--delete"]], decision = "forbidden")
prefix_rule(pattern = ["git", "branch", "-D"], decision = "forbidden")
prefix_rule(pattern = ["git", "reset", "--hard"], decision = "forbidden")
prefix_rule(pattern = ["find", "-delete"], decision = "forbidden")
prefix_rule(pattern = ["curl", "-o"], decision = "prompt")
`,
    },
  ],
});
const decide = (line: string) => policy.checkCommandLine(line).decision;

describe('a rule’s flags match however the command spells them', () => {
  it.each([
    'rm -rf dir',
    'rm -r -f dir',
    'rm -Rf dir',
    'rm -fr dir',
    'rm -f -r dir',
    'rm --recursive --force dir',
    'rm -rfv dir',
    'rm -v -rf dir',
    'rm -i -v --force -R dir',
    'rm --recur --forc dir',
    '/bin/rm -r -f dir',
    'git push --force',
    'git push -f origin main',
    'git push origin main --force',
    'git push --force-with-lease=main origin',
    'git push origin +main',
    'git push origin :topic',
    'git push -d origin topic',
    'git -C repo push --force',
    'git branch --delete --force topic',
    'git branch -df topic',
    'git reset -q --hard HEAD~1',
    'find . -name "*.o" -delete',
  ])('%s is forbidden', (line) => expect(decide(line)).toBe('forbidden'));

  it.each([
    'rm file.txt',
    'rm -r dir',
    'rm -f file',
    'git push origin main',
    'git push --follow-tags',
    'git branch -d topic',
    'git reset --soft HEAD~1',
    'git commit -m --force',
    'find . -name "*.ts"',
    'rm -- -rf',
  ])('%s stays allowed', (line) => expect(decide(line)).toBe('allow'));

  it('names the rule that matched, with the command as its matched prefix', () => {
    const r = policy.checkCommandLine('rm -r -f dir');
    expect(r.matched).toHaveLength(1);
    expect(r.matched[0]).toMatchObject({ rule: 'rm [-rf|-fr]', justification: 'recursive delete' });
    expect(r.matched[0]?.matchedPrefix).toEqual(['rm', '-r', '-f', 'dir']);
  });

  it('options only known at run time could complete the set: prompt', () => {
    expect(decide('rm -r $FLAGS dir')).toBe('prompt');
    expect(decide('echo dir | xargs rm -r')).toBe('prompt');
  });

  it('keeps codex evaluate() exact', () => {
    expect(policy.evaluate(['rm', '-r', '-f', 'x']).decision).toBeNull();
    expect(policy.evaluate(['rm', '-rf', 'x']).decision).toBe('forbidden');
  });
});
