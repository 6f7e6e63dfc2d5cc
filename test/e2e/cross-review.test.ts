/**
 * Cross-review and preflight through the real Claude Code and Codex CLIs against the scripted
 * models, as the built server runs them: the primary (Claude Code) and the challenger (Codex, the
 * other provider) each see the change in the requests their model receives; agreement is
 * approved, a challenger that disputes until the rounds run out is `not_converged`, an unreadable
 * answer is a protocol error with its text; preflight scans the project when it has no scan yet
 * and reuses the scan after that; a task with `[preflight] enabled` carries the result and its
 * implementor is told it. The project's checkout stays clean throughout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  type RunningHarness,
  type ScriptedAnthropicServer,
  type ScriptedOpenAiServer,
  git,
  isolatedEnv,
  makeRepo,
  repoRoot,
  startHttpHarness,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  tempDir,
  writeGatewayCodexHome,
} from '@harness/testkit';

const json = (value: unknown) => `My review:\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;
const issue = {
  file: 'src/sum.js',
  line: 2,
  severity: 'high',
  confidence: 0.8,
  message: 'subtracts instead of adding',
};

describe('cross_review and preflight with the real CLIs', () => {
  const dir = tempDir('harness-cross-review-');
  let anthropic: ScriptedAnthropicServer;
  let openai: ScriptedOpenAiServer;
  let server: RunningHarness;
  let client: HttpClient;
  let repo: string;

  beforeAll(async () => {
    anthropic = await startScriptedAnthropicServer([]);
    openai = await startScriptedOpenAiServer([]);
    const codexHome = path.join(dir.path, 'codex-home');
    writeGatewayCodexHome(codexHome);
    repo = makeRepo(path.join(dir.path, 'app'), { 'src/sum.js': 'export const sum = (a, b) =>\n  a + b;\n' });
    git(repo, 'checkout', '-q', '-b', 'feature');
    writeFileSync(path.join(repo, 'src/sum.js'), 'export const sum = (a, b) =>\n  a - b;\n');
    git(repo, 'commit', '-qam', 'Change sum');
    git(repo, 'checkout', '-q', 'main');
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(
      config,
      [
        '[agents]',
        'default_agent = "claude"',
        '[agents.anthropic_api]',
        'enabled = false',
        '[[projects]]',
        'name = "app"',
        `root = "${repo}"`,
        'default = true',
        '',
      ].join('\n'),
    );
    const env = isolatedEnv(dir.path, {
      PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      HARNESS_CONFIG: config,
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
      OPENAI_BASE_URL: openai.baseUrl,
      ANTHROPIC_API_KEY: 'sk-ant-scripted',
      OPENAI_API_KEY: 'sk-scripted',
      CODEX_HOME: codexHome,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
    server = await startHttpHarness(['--transport', 'http', '--data-dir', path.join(dir.path, 'data')], env);
    client = new HttpClient(server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    await anthropic.close();
    await openai.close();
    dir.remove();
  });

  async function call<T>(method: string, params: unknown): Promise<T> {
    const reply = (await client.request(method, params)) as { result?: T; error?: unknown };
    if (reply.error !== undefined) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
    return reply.result as T;
  }

  const sent = (server: { script: { requests: { body: unknown }[] } }, from: number) =>
    JSON.stringify(server.script.requests.slice(from).map((r) => r.body));

  function expectClean(): void {
    expect(git(repo, 'status', '--porcelain')).toBe('');
  }

  interface Outcome {
    status: string;
    challenger: string | null;
    rounds: number;
    consensus_issues: { id: string; file: string; line: number | null; agreed_by: string[] }[];
    contested_issues: { id: string; disputed_by: { agent: string; reason: string }[] }[];
    turns: { agent: string; verdict: string; raw: string | null }[];
    target: { kind: string; base: string; head: string };
  }

  it('approves when the challenger of the other provider agrees; both models saw the change', async () => {
    const [a, o] = [anthropic.script.requests.length, openai.script.requests.length];
    anthropic.script.push({ text: json({ verdict: 'approve', summary: 'adds correctly', issues: [] }) });
    openai.script.push({ text: json({ verdict: 'approve', summary: 'agreed' }) });
    const outcome = await call<Outcome>('cross_review', { project_root: repo, target: 'feature' });
    expect(outcome).toMatchObject({
      status: 'approved',
      challenger: 'codex',
      rounds: 2,
      target: { kind: 'ref' },
    });
    expect(sent(anthropic, a)).toContain('a - b');
    expect(sent(openai, o)).toContain('second, independent reviewer');
    expect(sent(openai, o)).toContain('a - b');
    expectClean();
  }, 120_000);

  it('reaches consensus on an issue with file:line as changes requested', async () => {
    anthropic.script.push({ text: json({ verdict: 'changes_requested', issues: [issue] }) });
    openai.script.push({
      text: json({
        verdict: 'changes_requested',
        assessments: [{ id: 'I1', stance: 'agree', reason: 'yes' }],
      }),
    });
    const outcome = await call<Outcome>('cross_review', { project_root: repo, target: 'main..feature' });
    expect(outcome.status).toBe('changes_requested');
    expect(outcome.consensus_issues).toMatchObject([
      { id: 'I1', file: 'src/sum.js', line: 2, agreed_by: ['claude', 'codex'] },
    ]);
  }, 120_000);

  it('is not_converged when the challenger disputes until the rounds run out', async () => {
    const o = openai.script.requests.length;
    const dispute = json({
      verdict: 'approve',
      assessments: [{ id: 'I1', stance: 'dispute', reason: 'subtraction is what the spec wants' }],
    });
    anthropic.script.push(
      { text: json({ verdict: 'changes_requested', issues: [issue] }) },
      { text: json({ verdict: 'changes_requested', assessments: [{ id: 'I1', stance: 'agree' }] }) },
    );
    openai.script.push({ text: dispute }, { text: dispute });
    const outcome = await call<Outcome>('cross_review', {
      project_root: repo,
      target: 'feature',
      max_rounds: 4,
    });
    expect(outcome.status).toBe('not_converged');
    expect(outcome.rounds).toBe(4);
    expect(outcome.contested_issues).toMatchObject([
      { id: 'I1', disputed_by: [{ agent: 'codex', reason: 'subtraction is what the spec wants' }] },
    ]);
    // The challenger was shown the issue it kept disputing.
    expect(sent(openai, o)).toContain('I1 (raised by claude) src/sum.js:2');
    expectClean();
  }, 180_000);

  it('reports a malformed answer as protocol_error with its text', async () => {
    anthropic.script.push({ text: json({ verdict: 'approve', issues: [] }) });
    openai.script.push({ text: 'LGTM, ship it' });
    const outcome = await call<Outcome>('cross_review', { project_root: repo, target: 'feature' });
    expect(outcome.status).toBe('protocol_error');
    expect(outcome.turns[1]).toMatchObject({ agent: 'codex', verdict: 'protocol_error' });
    expect(outcome.turns[1]?.raw).toContain('LGTM, ship it');
  }, 120_000);

  interface Preflight {
    agent: string;
    risk: string;
    complexity: string;
    constraints: string[];
    affected_files: string[];
    baseline: { scan_id: string; ran: boolean };
  }
  const preflightAnswer = json({
    constraints: ['keep sum pure'],
    affected_files: ['src/sum.js'],
    risk: 'low',
    complexity: 'simple',
    summary: 'one line',
  });

  it('preflight scans when the project has no scan yet, then starts from the stored one', async () => {
    const a = anthropic.script.requests.length;
    anthropic.script.push({ text: preflightAnswer }, { text: preflightAnswer });
    const first = await call<Preflight>('preflight', { project_root: repo, task_description: 'fix sum' });
    expect(first).toMatchObject({
      agent: 'claude',
      risk: 'low',
      complexity: 'simple',
      constraints: ['keep sum pure'],
      affected_files: ['src/sum.js'],
      baseline: { ran: true },
    });
    expect(sent(anthropic, a)).toContain('fix sum');
    const second = await call<Preflight>('preflight', { project_root: repo, task_description: 'fix sum' });
    expect(second.baseline).toEqual({ ...first.baseline, ran: false });
    expectClean();
  }, 120_000);

  it('a task of a project with [preflight] enabled carries the result, and its implementor is told it', async () => {
    mkdirSync(path.join(repo, '.harness'), { recursive: true });
    writeFileSync(path.join(repo, '.harness/config.toml'), '[preflight]\nenabled = true\n');
    git(repo, 'add', '.harness/config.toml');
    git(repo, 'commit', '-qm', 'Enable preflight');
    const a = anthropic.script.requests.length;
    anthropic.script.push(
      { text: preflightAnswer },
      { tool_calls: [{ name: 'Write', input: { file_path: 'NOTES.md', content: 'noted\n' } }] },
      { text: 'Wrote NOTES.md.' },
    );
    const { task_id } = await call<{ task_id: string }>('task/create', {
      project: 'app',
      prompt: 'Write NOTES.md',
      review: false,
      deliver: 'none',
    });
    let task: { state: string; preflight: Preflight | null; error: unknown };
    // Polling is only how this HTTP client learns the task is over; nothing here is timed.
    for (;;) {
      task = await call<typeof task>('task/get', { task_id });
      if (['done', 'failed', 'cancelled'].includes(task.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(task.error).toBeNull();
    expect(task.state).toBe('done');
    expect(task.preflight).toMatchObject({ agent: 'claude', risk: 'low', affected_files: ['src/sum.js'] });
    expect(sent(anthropic, a)).toContain('Preflight (claude): risk low, complexity simple');
  }, 180_000);
});
