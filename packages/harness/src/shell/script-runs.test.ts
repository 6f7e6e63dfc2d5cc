import { describe, expect, it } from 'vitest';
import type { FileReader } from './file-reader.js';
import { makeInvocation, makeRecipes } from './make-files.js';
import { packageScriptText, scriptRunsOf, writtenPaths, type RunPart } from './script-runs.js';

/** Files that exist only here: the analysis sees the filesystem only through this port. */
function filesOf(contents: Record<string, string>): FileReader {
  return {
    exists: (file) => Object.hasOwn(contents, file),
    readText: (file) => Promise.resolve(Object.hasOwn(contents, file) ? (contents[file] as string) : null),
  };
}

const part = (line: string, redirections: string[] = []): RunPart => ({
  command: line.split(' '),
  redirections,
});

describe('scripts a line runs, read through a file port', () => {
  it('finds shell operands, sourced files, direct runs, package scripts and Makefiles', () => {
    const files = filesOf({ '/p/package.json': '{}', '/p/sub/Makefile': 'all:\n\ttrue\n' });
    const runs = scriptRunsOf(
      [
        part('sudo bash -x ./x.sh'),
        part('. env.sh'),
        part('./tools/run'),
        part('bash -c ./not-a-file.sh'),
        part('npm test'),
        part('make -C sub deploy'),
      ],
      '/p',
      files,
    );
    expect(runs.map((r) => [r.label, r.file])).toEqual([
      ['./x.sh', '/p/x.sh'],
      ['env.sh', '/p/env.sh'],
      ['./tools/run', '/p/tools/run'],
      ['npm test', '/p/package.json'],
      ['make deploy', '/p/sub/Makefile'],
    ]);
    expect(runs.find((r) => r.label === './tools/run')?.direct).toBe(true);
  });

  it('finds the nearest package.json upwards, and none when there is none', () => {
    expect(scriptRunsOf([part('pnpm build')], '/p/a/b', filesOf({ '/p/package.json': '{}' }))[0]?.file).toBe(
      '/p/package.json',
    );
    expect(scriptRunsOf([part('pnpm build')], '/p/a/b', filesOf({}))).toEqual([]);
  });

  it('reads package scripts with their hooks, and nothing from what is not JSON', () => {
    const json = JSON.stringify({ scripts: { pretest: 'lint', test: 'vitest', posttest: 'git push' } });
    expect(packageScriptText(json, 'test')).toBe('lint\nvitest\ngit push');
    expect(packageScriptText(json, 'build')).toBeNull();
    expect(packageScriptText('not json', 'test')).toBeNull();
  });

  it('names the files the line itself writes', () => {
    const written = writtenPaths([part('echo x', ['> run.sh']), part('tee -a ../log /abs')], '/p/q');
    expect([...written]).toEqual(['/p/q/run.sh', '/p/log', '/abs']);
  });

  it('reads Makefile recipes through the port, with their prerequisites', async () => {
    const files = filesOf({ '/p/Makefile': 'deploy: build\n\tgit push\nbuild:\n\tcc -o x x.c\n' });
    const recipes = await makeRecipes(makeInvocation(['deploy'], '/p'), files);
    expect(recipes).toEqual({ text: 'cc -o x x.c\ngit push', problems: [] });
    expect(await makeRecipes(makeInvocation(['deploy'], '/elsewhere'), files)).toBeNull();
  });
});
