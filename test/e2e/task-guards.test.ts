/**
 * The guard stage end to end, through the built server: the real Claude Code CLI (against the
 * scripted Anthropic server) writes code that a built-in catalogue rule (SEC-03, high) and a project
 * guard (unknown to the catalogue, so medium) both report; with the default guard_severity ("high")
 * validation sends back the high one, with its file, line and rule text, the agent fixes it in a
 * second turn, and the task is delivered; the timeline (task/get) shows both scans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GithubStandIn,
  type HarnessUnderTest,
  type ScriptedAnthropicServer,
  claudeWithApiReviewer,
  git,
  githubStandInConfig,
  makeProject,
  projectEntry,
  scriptedClaudeEnv,
  startGithubStandIn,
  startHarnessUnderTest,
  startScriptedAnthropicServer,
  tempDir,
  viewOf,
  writeFiles,
} from '@harness/testkit';

const token = 'stand-in-token';

/** A project guard: every `eval(` outside .git and .harness, as FILE:LINE:RULE_ID:MESSAGE. */
const evalGuard = `cd "$1" || exit 2
grep -rn --exclude-dir=.git --exclude-dir=.harness 'eval(' . | while IFS=: read -r file line rest; do
  echo "\${file#./}:$line:SEC-EVAL:eval() runs whatever string it is given"
done
`;

describe('guard findings in the task pipeline', () => {
  const dir = tempDir('harness-task-guards-');
  let model: ScriptedAnthropicServer;
  let hub: GithubStandIn;
  let app: HarnessUnderTest;
  let widgets: { root: string; remote: string };
  const fixPrompts: string[] = [];

  beforeAll(async () => {
    widgets = makeProject(
      dir.path,
      'widgets',
      '[validation]\npre_commit = ["true"]\n[review]\nenabled = false\n',
    );
    writeFiles(widgets.root, { '.harness/guards/sec-eval.sh': evalGuard });
    git(widgets.root, 'add', '-A');
    git(widgets.root, 'commit', '-qm', 'a guard');
    git(widgets.root, 'push', '-q', 'origin', 'main');
    hub = await startGithubStandIn({ token });
    hub.addRepo('acme/widgets');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const view = viewOf(body);
      if (view.afterTool) return { text: 'Done.' };
      const last = JSON.stringify(body);
      if (view.count("The project's guards found problems") > fixPrompts.length) {
        fixPrompts.push(last);
        return {
          tool_calls: [{ name: 'Bash', input: { command: "printf 'JSON.parse(input);\\n' > app.js" } }],
        };
      }
      return {
        tool_calls: [
          { name: 'Bash', input: { command: "printf 'const a = 1;\\neval(input);\\n' > app.js" } },
        ],
      };
    });
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...claudeWithApiReviewer(model),
        ...githubStandInConfig(hub, token),
        ...projectEntry('widgets', widgets.root),
      ],
      scriptedClaudeEnv(model.baseUrl),
    );
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await model.close();
    await hub.close();
    dir.remove();
  });

  it('sends the finding back to the real agent, which fixes it, and delivers the fixed work', async () => {
    const response = await app.post('/tasks', { prompt: 'Parse the input', project: 'widgets' });
    expect(response.status).toBe(202);
    const { task_id } = (await response.json()) as { task_id: string };
    const task = await app.finished(task_id);

    expect(task.error).toBeNull();
    expect(task).toMatchObject({ state: 'done', validation_attempts: 2 });
    expect(fixPrompts).toHaveLength(1);
    expect(fixPrompts[0]).toContain(
      'app.js:2 [SEC-03] (high) No eval of strings — a string evaluated as code',
    );
    expect(fixPrompts[0]).toContain('Parse the data instead (JSON.parse, ast.literal_eval)');
    // Medium is below the default threshold: recorded, not sent back.
    expect(fixPrompts[0]).not.toContain('[SEC-EVAL]');
    expect(git(widgets.remote, 'show', `${task.branch}:app.js`)).toBe('JSON.parse(input);');
    const guards = task.timeline.filter((e) => e.kind === 'task.guards');
    expect(guards.map((e) => e.data)).toEqual([
      expect.objectContaining({ round: 1, new: 2, preexisting: 0, blocking: 1, threshold: 'high' }),
      expect.objectContaining({ round: 2, new: 0, blocking: 0 }),
    ]);
    const findings = task.timeline.filter((e) => e.kind === 'rule.finding').map((e) => e.data);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule_id: 'SEC-03', severity: 'high', file: 'app.js', line: 2 }),
        expect.objectContaining({ rule_id: 'SEC-EVAL', severity: 'medium', file: 'app.js', line: 2 }),
      ]),
    );
    expect(findings).toHaveLength(2);
  });
});
