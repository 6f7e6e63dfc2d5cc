import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@harness/testkit';
import { replayDraft } from '../../src/quality/index.js';
import { buildBwrapArgv, probeSandbox, sandboxSpec } from '../../src/sandbox/index.js';
import {
  catalogue,
  cleanup,
  consoleGuard,
  draftOf,
  file,
  gate,
  plantedProject,
  ran,
  storeWithHistory,
  temp,
} from './replay-fixtures.js';

afterEach(cleanup);

describe('replayDraft', () => {
  it('runs a draft guard over the current tree and finds the three planted problems, writing nothing', async () => {
    const root = plantedProject();
    const { store } = await storeWithHistory(root);
    const report = await replayDraft(
      draftOf([file('.harness/guards/ts-03-console.sh', 'guard', consoleGuard)]),
      {
        root,
        store,
        rules: catalogue,
      },
    );
    expect(report.tree.findings).toBe(3);
    expect(report.tree.files).toBe(2);
    expect(report.tree.examples.map((f) => `${f.file}:${f.line}`).sort()).toEqual([
      'src/a.ts:2',
      'src/a.ts:3',
      'src/b.ts:2',
    ]);
    expect(report.tree.examples[0]).toMatchObject({
      rule_id: 'TS-03',
      severity: 'low',
      guard: 'TS-03-CONSOLE',
    });
    expect(report.skipped).toEqual([]);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('checks every past command of the project against the draft policy: 2 of 5 in its task would have been stopped', async () => {
    const root = plantedProject();
    const { store, log } = await storeWithHistory(root);
    const history = [
      gate('turn_1', 'task_w', 'git push origin main', 'allow'),
      ran('turn_1', 'task_w', 'git push origin main'),
      ran('turn_1', 'task_w', 'curl -s https://example.com/install.sh'),
      gate('turn_2', 'task_w', 'npm test', 'allow'),
      ran('turn_2', 'task_w', 'npm test', 'failed'),
      ran('turn_2', 'task_w', 'ls -la'),
      gate('turn_2', 'task_w', 'rm -rf build', 'forbidden'),
      // Another project's push is not this project's history.
      gate('turn_9', 'task_o', 'git push origin main', 'allow'),
    ];
    // A thread started on the project's checkout, outside any task, is its history too.
    await store.threads.create({
      id: 'thr_direct',
      project_root: root,
      agent: 'claude',
      title: null,
      status: 'idle',
      native_session_id: null,
      parent_thread_id: null,
      metadata: {},
      turn_count: 0,
      created_at: '2026-11-30T12:00:00.000Z',
      updated_at: '2026-11-30T12:00:00.000Z',
    });
    history.push({ ...ran('turn_8', null, 'git push --force'), thread_id: 'thr_direct' });
    for (const event of history) await log.append(event);
    const draft = draftOf([
      file(
        '.harness/policy/network.star',
        'policy_rule',
        'prefix_rule(pattern = ["git", "push"], decision = "forbidden")\nprefix_rule(pattern = ["curl"], decision = "prompt")\n',
      ),
    ]);
    const report = await replayDraft(draft, { root, store });
    expect(report.history.commands_checked).toBe(6);
    expect(report.history.commands_blocked).toBe(3);
    expect(report.history.command_examples.map((c) => [c.command, c.decision, c.task_id])).toEqual([
      ['git push origin main', 'forbidden', 'task_w'],
      ['curl -s https://example.com/install.sh', 'prompt', 'task_w'],
      ['git push --force', 'forbidden', null],
    ]);
    expect(report.skipped).toEqual([]);
  });

  it('explains past findings by the rules a draft defines, with the severity of its heading', async () => {
    const root = plantedProject();
    const { store, log } = await storeWithHistory(root);
    const finding = (rule: string, f: string, line: number) => ({
      kind: 'rule.finding',
      tool: rule,
      data: { project: 'widgets', file: f, line, severity: 'medium', scan_id: 'scan_1' },
    });
    await log.append(finding('STY-01', 'src/b.ts', 1));
    await log.append(finding('STY-01', 'src/old.ts', 9));
    await log.append(finding('SEC-01', 'src/db.ts', 4));
    await log.append({ ...finding('STY-01', 'src/b.ts', 1), data: { project: 'other', file: 'x', line: 1 } });
    const rules =
      '---\npaths: "src/**"\n---\n# Style\n## STY-01: No TODO in shipped code (high)\nFile an issue instead.\n';
    const report = await replayDraft(draftOf([file('.harness/rules/style.md', 'rule', rules)]), {
      root,
      store,
      rules: catalogue,
    });
    expect(report.history.findings_explained).toBe(2);
    expect(report.history.finding_examples.map((f) => `${f.rule_id} ${f.file}:${f.line}`)).toEqual([
      'STY-01 src/b.ts:1',
      'STY-01 src/old.ts:9',
    ]);
    // Today the project's own TODO guard reports STY-01 once, now with the draft's severity.
    expect(report.tree.findings).toBe(1);
    expect(report.tree.examples[0]).toMatchObject({
      rule_id: 'STY-01',
      severity: 'high',
      title: 'No TODO in shipped code',
    });
  });

  it('runs a draft guard without the server environment', async () => {
    const root = plantedProject();
    const { store } = await storeWithHistory(root);
    process.env.HARNESS_REPLAY_TEST_SECRET = 'sk-do-not-leak';
    try {
      const guard =
        'echo "src/c.ts:1:ENV-01:secret=${HARNESS_REPLAY_TEST_SECRET:-unset} home=${HOME#/tmp/}"\n';
      const report = await replayDraft(draftOf([file('.harness/guards/env.sh', 'guard', guard)]), {
        root,
        store,
      });
      expect(report.tree.examples[0]?.message).toMatch(/^secret=unset home=harness-replay-guard-/);
    } finally {
      delete process.env.HARNESS_REPLAY_TEST_SECRET;
    }
  });

  it('runs a draft guard confined: the project stays read-only to it', async () => {
    const root = plantedProject();
    const { store } = await storeWithHistory(root);
    const caps = await probeSandbox();
    if (caps.bwrap_path === null) throw new Error(`the tests need bubblewrap: ${caps.bwrap_problem}`);
    const bwrapPath = caps.bwrap_path;
    const guard = [
      'touch "$1/src/planted-by-guard" 2>/dev/null',
      'if [ -e "$1/src/planted-by-guard" ]; then w=yes; else w=no; fi',
      'echo "src/c.ts:1:W-01:wrote=$w"',
      '',
    ].join('\n');
    const report = await replayDraft(draftOf([file('.harness/guards/writer.sh', 'guard', guard)]), {
      root,
      store,
      confine: (argv, scratch) =>
        buildBwrapArgv(sandboxSpec({ mode: 'read-only', workspace: root }), [...argv], {
          bwrapPath,
          dropCapabilities: caps.is_root,
          stateDirs: [scratch],
        }),
    });
    expect(report.skipped).toEqual([]);
    expect(report.tree.examples.map((f) => f.message)).toEqual(['wrote=no']);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('does not run a draft guard at all where no sandbox can confine it', async () => {
    const root = plantedProject();
    const { store } = await storeWithHistory(root);
    const guard = 'touch "$1/src/planted-by-guard"\necho "src/c.ts:1:W-01:ran"\n';
    const report = await replayDraft(draftOf([file('.harness/guards/writer.sh', 'guard', guard)]), {
      root,
      store,
      confine: null,
    });
    expect(report.tree.findings).toBe(0);
    expect(report.skipped).toEqual([
      { path: '.harness/guards/writer.sh', reason: expect.stringMatching(/^not run: no sandbox/) as string },
    ]);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('explains past findings at the places a draft guard reports today', async () => {
    const root = plantedProject();
    const { store, log } = await storeWithHistory(root);
    await log.append({
      kind: 'rule.finding',
      tool: 'LINT-9',
      data: { project: 'widgets', file: 'src/a.ts', line: 3 },
    });
    await log.append({
      kind: 'rule.finding',
      tool: 'LINT-9',
      data: { project: 'widgets', file: 'src/c.ts', line: 1 },
    });
    const report = await replayDraft(
      draftOf([file('.harness/guards/ts-03-console.sh', 'guard', consoleGuard)]),
      {
        root,
        store,
      },
    );
    expect(report.history.findings_explained).toBe(1);
    expect(report.history.finding_examples[0]).toMatchObject({
      rule_id: 'LINT-9',
      file: 'src/a.ts',
      line: 3,
    });
  });

  it('applies a diff to the current guard in memory and runs the result', async () => {
    const root = plantedProject();
    const { store } = await storeWithHistory(root);
    const diff = [
      '--- a/.harness/guards/todo.sh',
      '+++ b/.harness/guards/todo.sh',
      '@@ -1 +1 @@',
      '-grep -rn "TODO" "$1/src" | while IFS=: read -r f l _; do echo "$f:$l:STY-01:a TODO left behind"; done',
      '+grep -rn "export" "$1/src" | while IFS=: read -r f l _; do echo "$f:$l:STY-02:an export"; done',
      '',
    ].join('\n');
    const stale = '@@ -1 +1 @@\n-echo nothing like this\n+echo x\n';
    const report = await replayDraft(
      draftOf([
        { path: '.harness/guards/todo.sh', kind: 'guard', format: 'diff', content: diff },
        { path: '.harness/guards/other.sh', kind: 'guard', format: 'diff', content: stale },
      ]),
      { root, store },
    );
    expect(report.tree.examples.map((f) => `${f.rule_id} ${f.file}:${f.line}`).sort()).toEqual([
      'STY-02 src/a.ts:1',
      'STY-02 src/c.ts:1',
    ]);
    expect(report.skipped).toEqual([
      { path: '.harness/guards/other.sh', reason: expect.stringContaining('does not apply') },
    ]);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('puts a broken policy file, a crashing guard, a hanging guard and a skill in skipped, never throwing', async () => {
    const root = plantedProject();
    const { store, log } = await storeWithHistory(root);
    await log.append(gate('turn_1', 'task_w', 'git push', 'allow'));
    const report = await replayDraft(
      draftOf([
        file(
          '.harness/policy/bad.star',
          'policy_rule',
          'prefix_rule(pattern = ["git"],\n  decision = "nope")\n',
        ),
        file('.harness/policy/unclosed.star', 'policy_rule', 'prefix_rule(pattern = ["git"]\n'),
        file('.harness/guards/crash.sh', 'guard', 'echo start\nif then\n'),
        file('.harness/guards/dies.sh', 'guard', 'echo "oops" >&2\nexit 3\n'),
        file('.harness/guards/hang.sh', 'guard', 'sleep 30\n'),
        file('.harness/skills/editing/SKILL.md', 'skill', '# Editing\n'),
        file('../escape.sh', 'guard', 'echo x\n'),
      ]),
      { root, store, guardTimeoutMs: 1500 },
    );
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(reasons['.harness/policy/bad.star']).toMatch(/^\.harness\/policy\/bad\.star:1:\d+: .*nope/);
    expect(reasons['.harness/policy/unclosed.star']).toMatch(/^\.harness\/policy\/unclosed\.star:\d+:\d+: /);
    expect(reasons['.harness/guards/crash.sh']).toMatch(/^\.harness\/guards\/crash\.sh:2: /);
    expect(reasons['.harness/guards/dies.sh']).toBe('.harness/guards/dies.sh: the guard exited 3: oops');
    expect(reasons['.harness/guards/hang.sh']).toBe('.harness/guards/hang.sh: timed out after 1500 ms');
    expect(reasons['.harness/skills/editing/SKILL.md']).toMatch(/^not replayable: a skill/);
    expect(reasons['../escape.sh']).toMatch(/outside the project root/);
    expect(report.history.commands_checked).toBe(0);
    expect(report.tree.findings).toBe(0);
  });

  it('does not patch a file that is a symlink out of the project', async () => {
    const root = plantedProject();
    const { store } = await storeWithHistory(root);
    const outside = path.join(temp('harness-replay-outside-'), 'secret.sh');
    writeFileSync(outside, 'echo secret\n');
    symlinkSync(outside, path.join(root, '.harness/guards/linked.sh'));
    const diff = '@@ -1 +1 @@\n-echo secret\n+echo leaked\n';
    const report = await replayDraft(
      draftOf([{ path: '.harness/guards/linked.sh', kind: 'guard', format: 'diff', content: diff }]),
      { root, store },
    );
    expect(report.skipped).toEqual([
      {
        path: '.harness/guards/linked.sh',
        reason: '.harness/guards/linked.sh: the current file is a symlink out of the project',
      },
    ]);
    expect(report.tree.findings).toBe(0);
  });

  it('refuses a rule file whose heading has no severity marker, naming file and line', async () => {
    const root = plantedProject();
    const { store } = await storeWithHistory(root);
    const report = await replayDraft(
      draftOf([
        file('.harness/rules/x.md', 'rule', '# X\n## STY-01: fine (low)\n\n## STY-02: critical thing\n'),
      ]),
      { root, store },
    );
    expect(report.skipped).toEqual([
      {
        path: '.harness/rules/x.md',
        reason: '.harness/rules/x.md:4: a rule heading must read "## ID: Title (severity)"',
      },
    ]);
  });
});
