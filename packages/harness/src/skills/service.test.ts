import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newTask } from '@harness/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimTask, tempDir } from '@harness/testkit';
import { HarnessError, silentLogger, systemClock } from '../core/index.js';
import { SqliteStore } from '../store/index.js';
import { builtinSkillsDir } from './builtin.js';
import { skillScore } from './score.js';
import { SkillService } from './service.js';

let dir: { path: string; remove: () => void };
let store: SqliteStore;
let service: SkillService;
let repo: string;
let home: string;

function serviceWith(always: string[] = []): SkillService {
  return new SkillService({
    store,
    clock: systemClock,
    logger: silentLogger,
    home,
    codexHome: null,
    settings: { adminDir: path.join(dir.path, 'admin'), builtin: true, always },
    builtinDir: builtinSkillsDir,
  });
}

beforeEach(() => {
  dir = tempDir('harness-skill-service-');
  repo = path.join(dir.path, 'repo');
  home = path.join(dir.path, 'home');
  mkdirSync(path.join(repo, '.git'), { recursive: true });
  mkdirSync(home, { recursive: true });
  store = SqliteStore.open(path.join(dir.path, 'data'));
  service = serviceWith();
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

async function finishTask(id: string, state: 'done' | 'failed', at: string): Promise<void> {
  await store.tasks.enqueue(newTask({ id, project: 'p', kind: 'prompt', created_at: at }), 100);
  await claimTask(store, id, 'o', at);
  await store.tasks.transition(id, { from: 'preparing', to: state, patch: { finished_at: at } });
}

describe('SkillService', () => {
  it('creates a SKILL.md folder in the project, lists it with its version, and bumps the version on change', async () => {
    const created = await service.create(
      { name: 'deploy', scope: 'project', projectRoot: repo },
      { description: 'Deploys: the staging way', body: '# Deploy\n\nRun make deploy.\n' },
    );
    const file = path.join(repo, '.harness', 'skills', 'deploy', 'SKILL.md');
    expect(created).toMatchObject({
      name: 'deploy',
      scope: 'project',
      path: file,
      version: 1,
      uses: 0,
      score: null,
    });
    expect(readFileSync(file, 'utf8')).toBe(
      '---\nname: deploy\ndescription: "Deploys: the staging way"\n---\n\n# Deploy\n\nRun make deploy.\n',
    );
    const again = await service.list({ projectRoot: repo, query: 'STAGING' });
    expect(again.skills.map((s) => [s.name, s.version])).toEqual([['deploy', 1]]);

    writeFileSync(file, readFileSync(file, 'utf8').replace('make deploy', 'make ship'));
    expect((await service.get('deploy', { projectRoot: repo })).version).toBe(2);
    expect((await service.get('deploy', { projectRoot: repo })).version).toBe(2);

    const updated = await service.update(
      { name: 'deploy', scope: 'project', projectRoot: repo },
      { body: 'New body\n' },
    );
    expect(updated).toMatchObject({
      version: 3,
      description: 'Deploys: the staging way',
      body: 'New body\n',
    });
  });

  it('keeps optional frontmatter fields through an update', async () => {
    const folder = path.join(home, '.harness', 'skills', 'pdf');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, 'SKILL.md'),
      '---\nname: pdf\ndescription: Old\nlicense: MIT\nmetadata:\n  author: me\nallowed-tools: [Read, Bash]\n---\nBody\n',
    );
    const updated = await service.update({ name: 'pdf', scope: 'user' }, { description: 'New' });
    expect(updated.frontmatter).toEqual({
      name: 'pdf',
      description: 'New',
      license: 'MIT',
      metadata: { author: 'me' },
      'allowed-tools': ['Read', 'Bash'],
    });
    expect(updated.body).toBe('Body\n');
  });

  it('refuses a second skill of the same name, names that leave the folder, and writes through a symlink', async () => {
    const target = { name: 'dup', scope: 'user' as const };
    await service.create(target, { description: 'D', body: '' });
    await expect(service.create(target, { description: 'D', body: '' })).rejects.toThrow(/already exists/);
    for (const name of ['../escape', 'a/b', '/abs', 'a\\b', 'UPPER', '']) {
      await expect(
        service.create({ name, scope: 'user' }, { description: 'D', body: '' }),
      ).rejects.toMatchObject({
        code: 'invalid_params',
        message: expect.stringMatching(/^name: /),
      });
    }
    const outside = path.join(dir.path, 'outside');
    mkdirSync(outside);
    mkdirSync(path.join(repo, '.harness'), { recursive: true });
    symlinkSync(outside, path.join(repo, '.harness', 'skills'));
    const error = await service
      .create({ name: 'sneaky', scope: 'project', projectRoot: repo }, { description: 'D', body: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('forbidden');
    expect(lstatSync(path.join(outside, 'sneaky'), { throwIfNoEntry: false })).toBeUndefined();
  });

  it('deletes only from .harness/skills, and says where it looked', async () => {
    await service.create({ name: 'gone', scope: 'user' }, { description: 'D', body: 'B' });
    const deleted = await service.delete({ name: 'gone', scope: 'user' });
    expect(deleted).toEqual({
      deleted: true,
      path: path.join(home, '.harness', 'skills', 'gone', 'SKILL.md'),
    });
    await expect(service.get('gone')).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.delete({ name: 'review', scope: 'user' })).rejects.toThrow(
      /no user skill "review" in .*\.harness\/skills/,
    );
  });

  it('counts uses and scores a skill from the outcomes of the tasks that used it', async () => {
    await finishTask('t1', 'done', '2026-01-01T00:00:00.000Z');
    await finishTask('t2', 'failed', '2026-01-02T00:00:00.000Z');
    await service.recordUse({ name: 'review', taskId: 't1' });
    await service.recordUse({ name: 'review', taskId: 't1' });
    await service.recordUse({ name: 'review', taskId: 't2' });
    await service.recordUse({ name: 'review', threadId: 'th1' });
    const review = (await service.list({ query: 'review' })).skills.find((s) => s.name === 'review');
    expect(review?.uses).toBe(4);
    // One task each way, in finish order: t1 then t2 (a task counts once however often it used it).
    expect(review?.score).toBe(skillScore(['succeeded', 'failed']));
    expect(skillScore(['succeeded', 'failed'])).toBeCloseTo(
      0.8 * (0.8 * 0.5 + 0.2) + 0.2 * ((0.15 + 1) / 2),
      4,
    );
    expect(skillScore([])).toBeNull();
  });

  it('gives a turn the whole catalogue and activates the skills named, configured and triggered', async () => {
    mkdirSync(path.join(repo, '.harness'), { recursive: true });
    writeFileSync(path.join(repo, '.harness', 'config.toml'), '[skills]\nalways = ["commit-message"]\n');
    const withAlways = serviceWith(['test-first']);
    const turn = await withAlways.forTurn({
      projectRoot: repo,
      cwd: repo,
      taskSkills: ['exec-plan', 'no-such-skill'],
      prompt: 'Please do a CODE REVIEW of the parser',
    });
    expect(Object.keys(turn).sort()).toEqual(['activate', 'catalogue']);
    expect(turn.activate).toEqual(['exec-plan', 'test-first', 'commit-message', 'review']);
    const review = turn.catalogue.find((s) => s.name === 'review');
    expect(review).toEqual({
      name: 'review',
      description: expect.stringMatching(/^Review a change/),
      file: path.join(builtinSkillsDir, 'review', 'SKILL.md'),
    });
    expect(turn.catalogue.every((s) => Object.keys(s).length === 3)).toBe(true);
  });
});
