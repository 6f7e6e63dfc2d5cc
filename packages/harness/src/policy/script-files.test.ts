import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from './load-policy.js';
import { checkCommandLineWithScripts } from './script-files.js';

const policy = loadPolicy({
  files: [
    {
      path: 'p.star',
      source: `
prefix_rule(pattern = ["rm", "-rf"], decision = "forbidden", justification = "no recursive deletes")
prefix_rule(pattern = ["git", "push"], decision = "prompt")
`,
    },
  ],
});

const dir = mkdtempSync(path.join(tmpdir(), 'harness-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  writeFileSync(path.join(dir, name), text);
  chmodSync(path.join(dir, name), 0o755);
}

script('clean.sh', '#!/bin/sh\necho cleaning\nrm -rf build\n');
script('plain', 'echo no shebang\ngit push origin main\n');
script('tool.py', "#!/usr/bin/env python3\nimport os\nos.system('rm -rf /')\n");
script('ok.sh', '#!/usr/bin/env bash\nset -e\necho fine\n');
script('outer.sh', 'echo outer\nbash lib/inner.sh\n');
script('lib/inner.sh', 'rm -rf /tmp/x\n');
script('big.sh', `#!/bin/sh\n${'echo x\n'.repeat(50_000)}`);

const decide = async (line: string) => (await checkCommandLineWithScripts(policy, line, dir)).decision;

describe('commands that run a script file answer for what is in it', () => {
  it.each([
    ['bash clean.sh', 'forbidden'],
    ['sh -e ./clean.sh', 'forbidden'],
    ['./clean.sh', 'forbidden'],
    [`${dir}/clean.sh --now`, 'forbidden'],
    ['source clean.sh', 'forbidden'],
    ['. ./clean.sh', 'forbidden'],
    ['echo start && ./clean.sh', 'forbidden'],
    ['./plain', 'prompt'],
    ['bash outer.sh', 'forbidden'],
    ['./ok.sh', 'allow'],
    ['./big.sh', 'prompt'],
    ['./missing.sh', 'prompt'],
    ["printf 'rm -rf x' > new.sh && bash new.sh", 'prompt'],
    ['echo "echo hi" > ok.sh; ./ok.sh', 'prompt'],
    ['echo "git push" | tee -a ok.sh && sh ok.sh', 'prompt'],
  ])('%s → %s', async (line, expected) => {
    expect(await decide(line)).toBe(expected);
  });

  it('follows package scripts run by npm, pnpm, yarn and bun, with their pre and post hooks', async () => {
    const project = path.join(dir, 'pkg');
    mkdirSync(path.join(project, 'src'), { recursive: true });
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({
        scripts: {
          pretest: 'echo before',
          test: 'rm -rf /',
          build: 'tsc',
          postbuild: 'git push',
          lint: 'eslint .',
        },
      }),
    );
    const at = async (line: string, cwd = project) =>
      (await checkCommandLineWithScripts(policy, line, cwd)).decision;
    expect(await at('npm test')).toBe('forbidden');
    expect(await at('npm t')).toBe('forbidden');
    expect(await at('npm run build', path.join(project, 'src'))).toBe('prompt');
    expect(await at('yarn build')).toBe('prompt');
    expect(await at('pnpm run lint')).toBe('allow');
    expect(await at('bun run test')).toBe('forbidden');
    expect(await at('npm run nothing-here')).toBe('allow');
    expect(await at('yarn add left-pad')).toBe('allow');
    const edited = `echo '{"scripts":{"test":"true"}}' > package.json && npm test`;
    expect(await at(edited)).toBe('prompt');
    const result = await checkCommandLineWithScripts(policy, 'npm test', project);
    expect(result.reason).toContain('the script npm test runs');
  });

  it("leaves alone what is not a shell script: another interpreter's file, a binary", async () => {
    expect(await decide('./tool.py')).toBe('allow');
    expect(await decide('/bin/true')).toBe('allow');
    expect(await decide('bash -c "echo clean.sh"')).toBe('allow');
  });

  it('says which script holds the refused command', async () => {
    const result = await checkCommandLineWithScripts(policy, 'bash outer.sh', dir);
    expect(result.reason).toContain('the script outer.sh runs');
    expect(result.reason).toContain('no recursive deletes');
    expect(result.scripts).toEqual([path.join(dir, 'outer.sh'), path.join(dir, 'lib', 'inner.sh')]);
  });
});
