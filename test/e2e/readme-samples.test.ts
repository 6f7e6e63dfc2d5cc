/**
 * The README's configuration samples validate as printed: the server config (the block after
 * `<!-- sample: server config -->`), with its commented `[[projects]]` entry filled in too, and the
 * project overlay (after `<!-- sample: project overlay -->`) in a repository's `.harness/`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessBin, isolatedEnv, makeRepo, repoRoot, tempDir } from '@harness/testkit';

const dir = tempDir('harness-readme-samples-');
afterAll(() => dir.remove());

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

function sample(name: string): string {
  const match = new RegExp(`^<!-- sample: ${name} -->\\n\`\`\`toml\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(readme);
  if (!match?.[1]) throw new Error(`README.md has no toml block marked <!-- sample: ${name} -->`);
  return match[1];
}

function harness(args: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [harnessBin, ...args],
      { env: isolatedEnv(dir.path), cwd: dir.path },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (child.exitCode ?? 1), output: stdout + stderr }),
    );
  });
}

describe('the README configuration samples', () => {
  const repo = makeRepo(path.join(dir.path, 'app'));

  it('the server config validates as printed', async () => {
    const file = path.join(dir.path, 'server.toml');
    writeFileSync(file, sample('server config'));
    const run = await harness(['config', 'validate', file]);
    expect(run.output).toMatch(/^ok: /);
    expect(run.code).toBe(0);
  });

  it('and with its [[projects]] entry uncommented, on a real repository', async () => {
    const text = sample('server config');
    const projects = text.slice(text.indexOf('# [[projects]]'));
    expect(projects).not.toBe('');
    const filled = projects
      .split('\n')
      .map((line) => line.replace(/^# /, ''))
      .join('\n')
      .replace('/path/to/your/repo', repo);
    const file = path.join(dir.path, 'server-with-project.toml');
    writeFileSync(file, text.replace(projects, filled));
    const run = await harness(['config', 'validate', file]);
    expect(run.output).toMatch(/^ok: .*1 project/);
    expect(run.code).toBe(0);
  });

  it('the project overlay validates in a repository', async () => {
    mkdirSync(path.join(repo, '.harness'), { recursive: true });
    writeFileSync(path.join(repo, '.harness/config.toml'), sample('project overlay'));
    const run = await harness(['--project', `app=${repo}`, 'config', 'validate']);
    expect(run.output).toMatch(/^ok: .*1 overlay/);
    expect(run.code).toBe(0);
  });
});
