/**
 * `harness skill …` as a user runs it: real `harness` processes against a real `harness serve -t
 * http`, with skills planted in the project and the user's home (one hiding a built-in of the
 * same name, one broken). Creating and deleting need the operator key; a name that would leave the
 * skills folder is refused before anything is written.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillListResult } from '@harness/protocol';
import {
  type HarnessRun,
  runHarness,
  isolatedEnv,
  makeRepo,
  type RunningHarness,
  startHttpHarness,
  tempDir,
} from '@harness/testkit';
import { readOperatorKey } from '../../packages/harness/src/core/index.js';

const dir = tempDir('harness-skill-cli-');
const dataDir = path.join(dir.path, 'data');
const root = makeRepo(path.join(dir.path, 'app'), { 'src/a.ts': 'a\n' });

function harness(args: string[]): Promise<HarnessRun> {
  return runHarness(args, { env: isolatedEnv(dir.path) });
}

function plant(folder: string, text: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'SKILL.md'), text);
  return path.join(folder, 'SKILL.md');
}

describe('harness skill (terminal interface)', () => {
  let server: RunningHarness;
  let url: string[];
  let token: string[];
  let projectReview: string;

  beforeAll(async () => {
    projectReview = plant(
      path.join(root, '.agents', 'skills', 'review'),
      '---\nname: review\ndescription: Our own review rules\n---\n# Our review\n',
    );
    plant(
      path.join(dir.path, '.claude', 'skills', 'mine'),
      '---\nname: mine\ndescription: My skill\n---\nMine.\n',
    );
    plant(path.join(dir.path, '.claude', 'skills', 'broken'), '---\nname: broken\n---\nNo description.\n');
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', dataDir, '--project', `app=${root}`],
      isolatedEnv(dir.path),
    );
    url = ['--url', server.url];
    token = ['--token', readOperatorKey(dataDir) ?? 'missing'];
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('lists the winners, the hidden and the skipped skills, and shows one', async () => {
    const listed = await harness(['--json', 'skill', 'list', ...url]);
    expect(listed.stderr).toBe('');
    const list = JSON.parse(listed.stdout) as SkillListResult;
    expect(list.skills.find((s) => s.name === 'review')).toMatchObject({
      scope: 'project',
      path: projectReview,
    });
    expect(list.skills.find((s) => s.name === 'mine')).toMatchObject({ scope: 'user' });
    expect(list.skills.find((s) => s.name === 'test-first')).toMatchObject({ scope: 'builtin' });
    expect(list.shadowed).toContainEqual({
      name: 'review',
      winner: { scope: 'project', path: projectReview },
      shadowed: { scope: 'builtin', path: expect.stringMatching(/skills\/review\/SKILL\.md$/) },
    });
    expect(list.errors).toEqual([
      {
        path: path.join(dir.path, '.claude', 'skills', 'broken', 'SKILL.md'),
        reason: expect.stringMatching(/description missing/),
      },
    ]);
    const text = await harness(['skill', 'list', '--query', 'own review', ...url]);
    expect(text.stdout).toMatch(/^review\s+project\s+v1 uses 0\s+Our own review rules$/m);
    expect(text.stdout).toContain(
      `skipped: ${path.join(dir.path, '.claude', 'skills', 'broken', 'SKILL.md')}`,
    );
    const show = await harness(['skill', 'show', 'review', ...url]);
    expect(show.stdout).toContain('# Our review');
    const missing = await harness(['skill', 'show', 'nope', ...url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no skill named "nope"');
  });

  it('creates and deletes a project skill for the operator only, refusing names that escape', async () => {
    const source = path.join(dir.path, 'deploy.md');
    writeFileSync(source, '---\ndescription: Deploy to staging\n---\n# Deploy\n\nRun make deploy.\n');
    const created = path.join(root, '.harness', 'skills', 'deploy', 'SKILL.md');

    const anonymous = await harness(['-p', 'app', 'skill', 'create', 'deploy', '--file', source, ...url]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('creating a skill is for a person');
    expect(existsSync(created)).toBe(false);

    const escape = await harness([
      '-p',
      'app',
      'skill',
      'create',
      '../../evil',
      '--file',
      source,
      ...url,
      ...token,
    ]);
    expect(escape.code).toBe(1);
    expect(escape.stderr).toContain('name: "../../evil" would leave the skills folder');

    const ok = await harness(['-p', 'app', 'skill', 'create', 'deploy', '--file', source, ...url, ...token]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe(`created deploy: ${created}`);
    expect(readFileSync(created, 'utf8')).toBe(
      '---\nname: deploy\ndescription: Deploy to staging\n---\n\n# Deploy\n\nRun make deploy.\n',
    );

    const deleted = await harness(['-p', 'app', 'skill', 'delete', 'deploy', ...url, ...token]);
    expect(deleted.stdout.trim()).toBe(`deleted deploy: ${created}`);
    expect(existsSync(created)).toBe(false);
  });
});
