/**
 * Skills through the built server: skills planted in every discovery root with conflicting names
 * reach a task's agent — the nearest of each name, the ones that apply given up front — the model's
 * requests name them, each use is counted on the skill (uses, then a score once the task is over),
 * and the checkout and the task's branch stay free of skill files.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillListResult, Task } from '@harness/protocol';
import {
  HttpClient,
  type ScriptedAnthropicServer,
  makeProject,
  projectEntry,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  tempDir,
  type HarnessUnderTest,
  startHarnessUnderTest,
  writeFiles,
} from '@harness/testkit';

const skillMd = (name: string, description: string, body: string): string =>
  `---\nname: ${name}\ndescription: ${description}\n---\n\n${body}\n`;

describe('skills a task is given, through the server', () => {
  const dir = tempDir('harness-task-skills-');
  const admin = path.join(dir.path, 'admin-skills');
  let widgetsRoot: string;
  let model: ScriptedAnthropicServer;
  let app: HarnessUnderTest;
  let client: HttpClient;

  beforeAll(async () => {
    const widgets = makeProject(dir.path, 'widgets', '');
    widgetsRoot = widgets.root;
    // The project's own deploy-check, committed; the user's and the admin's of the same name lose.
    writeFiles(widgets.root, {
      '.agents/skills/deploy-check/SKILL.md': skillMd(
        'deploy-check',
        'Project deploy check (project-desc-4c1d)',
        'Run scripts/check (project-body-77aa).',
      ),
    });
    execFileSync('git', ['add', '-A'], { cwd: widgets.root });
    execFileSync('git', ['commit', '-qm', 'skills'], { cwd: widgets.root });
    // HOME is the test's directory: the user's skills.
    writeFiles(dir.path, {
      '.agents/skills/deploy-check/SKILL.md': skillMd('deploy-check', 'User deploy (user-desc-0b9e)', 'x'),
      '.claude/skills/review/SKILL.md': skillMd('review', 'User review (user-review-5e2f)', 'Review it.'),
      // The admin's: a flat skill of the original format that a prompt word activates.
      'admin-skills/release-notes.md':
        '<!-- trigger-patterns: release -->\n# Release notes in the house style\n\nList changes (notes-body-31c8).\n',
      'admin-skills/deploy-check/SKILL.md': skillMd('deploy-check', 'Admin deploy (admin-desc-6a0f)', 'y'),
    });
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith(() => ({ text: 'Nothing to change.' }));
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...['[agents]', 'default_agent = "claude"'],
        ...['[agents.codex]', 'enabled = false'],
        ...['[agents.anthropic_api]', `base_url = "${model.baseUrl}"`, 'api_key = "scripted"'],
        ...['[skills]', `admin_dir = "${admin}"`],
        ...projectEntry('widgets', widgets.root),
      ],
      scriptedClaudeEnv(model.baseUrl),
    );
    client = new HttpClient(app.server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await app.stop();
    await model.close();
    dir.remove();
  });

  async function runTask(params: Record<string, unknown>): Promise<{ task: Task; requests: string[] }> {
    const before = model.script.requests.length;
    const reply = (await client.request('task/create', { project: 'widgets', review: false, ...params })) as {
      result?: { task: Task };
      error?: unknown;
    };
    if (reply.result === undefined) throw new Error(`task/create failed: ${JSON.stringify(reply.error)}`);
    const task = await app.finished(reply.result.task.id);
    const requests = model.script.requests.slice(before).map((r) => JSON.stringify(r.body));
    return { task: task as unknown as Task, requests };
  }

  async function listed(): Promise<SkillListResult> {
    const reply = (await client.request('skill/list', { project_root: 'widgets' })) as {
      result: SkillListResult;
    };
    return reply.result;
  }

  it('lists the nearest skill of each name and every one it hides', async () => {
    const { skills, shadowed } = await listed();
    expect(skills.find((s) => s.name === 'deploy-check')).toMatchObject({ scope: 'project', uses: 0 });
    expect(skills.find((s) => s.name === 'review')).toMatchObject({ scope: 'user' });
    expect(skills.find((s) => s.name === 'release-notes')).toMatchObject({ scope: 'admin', format: 'flat' });
    const hidden = shadowed.map((s) => `${s.name}:${s.shadowed.scope}`);
    expect(hidden).toEqual(
      expect.arrayContaining(['deploy-check:user', 'deploy-check:admin', 'review:builtin']),
    );
  });

  it('gives the API agent the catalogue and the skills that apply, and counts each use', async () => {
    const { task, requests } = await runTask({
      agent: 'anthropic_api',
      prompt: 'Prepare the release of the widgets',
      skills: ['deploy-check'],
    });
    expect(['done', 'failed']).toContain(task.state);
    const first = requests[0] ?? '';
    // The catalogue: the winners of each name, built-ins included; never a hidden one.
    expect(first).toContain('project-desc-4c1d');
    expect(first).toContain('user-review-5e2f');
    expect(first).toContain('build-fix');
    expect(first).not.toContain('user-desc-0b9e');
    expect(first).not.toContain('admin-desc-6a0f');
    // Given up front: the skill the task names, and the one its prompt triggers.
    expect(first).toContain('project-body-77aa');
    expect(first).toContain('notes-body-31c8');

    const { skills } = await listed();
    const deploy = skills.find((s) => s.name === 'deploy-check');
    expect(deploy?.uses).toBe(1);
    expect(deploy?.score).not.toBeNull();
    expect(skills.find((s) => s.name === 'release-notes')?.uses).toBe(1);
    expect(skills.find((s) => s.name === 'review')?.uses).toBe(0);
  });

  it('gives Claude Code the skills as a per-run plugin, leaving the checkout and the branch clean', async () => {
    const { task, requests } = await runTask({
      agent: 'claude',
      prompt: 'Check the deploy',
      skills: ['deploy-check'],
    });
    expect(['done', 'failed']).toContain(task.state);
    const first = requests[0] ?? '';
    expect(first).toContain('harness:deploy-check');
    expect(first).toContain('project-body-77aa');
    expect((await listed()).skills.find((s) => s.name === 'deploy-check')?.uses).toBe(2);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: widgetsRoot, encoding: 'utf8' })).toBe('');
    if (task.branch !== null) {
      const changed = execFileSync('git', ['diff', '--name-only', `HEAD...${task.branch}`], {
        cwd: widgetsRoot,
        encoding: 'utf8',
      });
      expect(changed).not.toMatch(/SKILL\.md|harness-skills/);
    }
  });
});
