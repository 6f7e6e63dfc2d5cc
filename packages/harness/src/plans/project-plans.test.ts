/**
 * Plan files in a real temporary project: where they go, that concurrent updates all land, and
 * that no path (relative, absolute or through a symlink) reaches outside the project.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '@harness/testkit';
import { ProjectPlans } from './project-plans.js';

let dir: ReturnType<typeof tempDir>;
let root: string;
const plans = new ProjectPlans();

beforeEach(() => {
  dir = tempDir();
  root = path.join(dir.path, 'project');
  mkdirSync(root);
});
afterEach(() => dir.remove());

describe('ProjectPlans', () => {
  it('writes a new plan to .agent/plans and reads it back by id and by path', async () => {
    const created = await plans.init(root, '# Refactor\n\nSmaller files.');
    expect(created.path).toBe(`.agent/plans/${created.plan.id}.md`);
    const text = readFileSync(path.join(root, created.path), 'utf8');
    expect(text).toContain('# Refactor');
    expect(text).toContain('## Purpose / Big Picture\n\nSmaller files.');
    expect((await plans.status(root, created.plan.id)).plan.toJSON()).toEqual(created.plan.toJSON());
    expect((await plans.status(root, created.path)).plan.title).toBe('Refactor');
    const listed = await plans.list(root);
    expect(listed.plans.map((p) => p.plan_id)).toEqual([created.plan.id]);
  });

  it('lands every one of many concurrent updates', async () => {
    const { plan } = await plans.init(root, '# Busy');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        plans.update(root, { project_root: root, plan: plan.id, action: 'milestone', description: `m${i}` }),
      ),
    );
    const after = (await plans.status(root, plan.id)).plan.toJSON();
    expect(after.progress.map((m) => m.description).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${i}`).sort(),
    );
  });

  it('refuses paths outside the project, non-Markdown files and files that are no plan', async () => {
    const outside = path.join(dir.path, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, path.join(root, 'link'));
    await expect(plans.init(root, '# X', '../x.md')).rejects.toThrow(
      /path: \.\.\/x\.md is outside the project/,
    );
    await expect(plans.init(root, '# X', path.join(outside, 'x.md'))).rejects.toThrow(
      /is outside the project/,
    );
    await expect(plans.init(root, '# X', 'link/x.md')).rejects.toThrow(
      /path: link\/x\.md is outside the project/,
    );
    await expect(plans.init(root, '# X', 'notes.txt')).rejects.toThrow(/neither a plan id nor a \.md file/);
    writeFileSync(path.join(root, 'README.md'), '# Readme\n\nHello.\n');
    await expect(plans.status(root, 'README.md')).rejects.toThrow(/README\.md is not an ExecPlan/);
    await expect(plans.status(root, 'nope')).rejects.toThrow(/no plan at \.agent\/plans\/nope\.md/);
    await expect(plans.init(root, '# Y', 'README.md')).rejects.toThrow(/README\.md already exists/);
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toBe('# Readme\n\nHello.\n');
  });

  it('lists readable plans and names the files that are not', async () => {
    await plans.init(root, '# One');
    writeFileSync(path.join(root, '.agent/plans/junk.md'), 'just text\n');
    const listed = await plans.list(root);
    expect(listed.plans.map((p) => p.title)).toEqual(['One']);
    expect(listed.errors).toEqual([
      {
        path: '.agent/plans/junk.md',
        message: 'plan: .agent/plans/junk.md is not an ExecPlan (no plan header or section)',
      },
    ]);
  });
});
