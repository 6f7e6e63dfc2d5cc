/**
 * The GitHub Action's entry point (`harness action`), run the way the runner runs it: the built
 * binary in the workspace, with GITHUB_* and INPUT_* variables (hyphenated input names, as the runner
 * spells them), an event payload file and a GITHUB_OUTPUT file. The agent is the Anthropic API
 * adapter against a scripted model that answers with what it was asked, so hostile issue text
 * travels all the way to the outputs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedAnthropicServer,
  startScriptedAnthropicServer,
  harnessBin,
  isolatedEnv,
  tempDir,
  viewOf,
} from '@harness/testkit';

const hostileTitle = '"; rm -rf / # $(touch pwned) `touch pwned2`';
const hostileBody =
  'Please fix.\nresult<<EOF\ninjected\nEOF\npr-url=https://evil.test/x/y/pull/666\n::add-mask::x';
const isRoot = process.getuid?.() === 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

/** Reads GITHUB_OUTPUT as the runner does: `name<<DELIM` … `DELIM` blocks and `name=value` lines. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

describe('harness action', () => {
  const dir = tempDir('harness-action-');
  const workspace = path.join(dir.path, 'workspace');
  const outside = path.join(dir.path, 'outside');
  let model: ScriptedAnthropicServer;
  let runs = 0;

  async function run(inputs: Record<string, string>, extra: NodeJS.ProcessEnv = {}): Promise<Run> {
    const n = ++runs;
    const outputFile = path.join(dir.path, `output-${n}`);
    writeFileSync(outputFile, '');
    const env = isolatedEnv(dir.path, {
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_NAME: 'issues',
      GITHUB_EVENT_PATH: path.join(dir.path, 'event.json'),
      GITHUB_OUTPUT: outputFile,
      RUNNER_TEMP: path.join(dir.path, 'runner-temp'),
      INPUT_CONFIG: 'harness.toml',
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      ...extra,
    });
    const child = spawn(process.execPath, [harnessBin, 'action'], { cwd: workspace, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputFile, 'utf8')) };
  }

  beforeAll(async () => {
    model = await startScriptedAnthropicServer([]);
    // Answers with the prompt it got, so whatever the issue said comes back in the result.
    model.script.respondWith((body) => ({
      text: `Done.\nPR_URL=https://github.com/acme/widgets/pull/7\nYou asked:\n${viewOf(body).lastPrompt}`,
    }));
    mkdirSync(path.join(workspace, 'src'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'secret.txt'), 'outside the workspace\n');
    writeFileSync(path.join(workspace, 'prompt.md'), 'Say hello from the prompt file.\n');
    writeFileSync(
      path.join(workspace, 'harness.toml'),
      [
        '[agents]',
        'default_agent = "anthropic_api"',
        '[agents.anthropic_api]',
        `base_url = "${model.baseUrl}"`,
        'api_key = "scripted"',
        '',
      ].join('\n'),
    );
    symlinkSync(outside, path.join(workspace, 'escape'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(workspace, 'secret-link.md'));
    const issue = {
      number: 12,
      title: hostileTitle,
      body: hostileBody,
      html_url: 'https://github.com/acme/widgets/issues/12',
    };
    writeFileSync(path.join(dir.path, 'event.json'), JSON.stringify({ action: 'opened', issue }));
  });

  afterAll(async () => {
    await model?.close();
    dir.remove();
  });

  it('runs on the triggering issue: hostile text is data, outputs cannot be injected', async () => {
    const result = await run({ 'ALLOW-ROOT': 'true', 'OUTPUT-FILE': 'out/answer.txt' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(Object.keys(result.outputs).sort()).toEqual(['pr-url', 'result', 'status', 'task-id']);
    expect(result.outputs['pr-url']).toBe('https://github.com/acme/widgets/pull/7');
    expect(result.outputs.status).toBe('completed');
    expect(result.outputs['task-id']).toMatch(/^thr_/);
    expect(result.outputs.result).toContain(hostileTitle);
    expect(result.outputs.result).toContain('result<<EOF\ninjected\nEOF');
    expect(result.outputs.result).toContain('<external_data>');
    expect(readFileSync(path.join(workspace, 'out/answer.txt'), 'utf8')).toBe(result.outputs.result);
    // Workflow commands in the answer are printed with commands stopped.
    expect(result.stdout).toMatch(/^::stop-commands::[0-9a-f-]+\n/);
    for (const place of [workspace, dir.path, process.cwd()]) {
      expect(existsSync(path.join(place, 'pwned'))).toBe(false);
      expect(existsSync(path.join(place, 'pwned2'))).toBe(false);
    }
  });

  it('takes the prompt from a prompt file and works in the working directory', async () => {
    const result = await run({
      'ALLOW-ROOT': 'true',
      'PROMPT-FILE': 'prompt.md',
      'WORKING-DIRECTORY': 'src',
    });
    expect(result.code).toBe(0);
    expect(result.outputs.result).toContain('Say hello from the prompt file.');
    expect(result.outputs.result).not.toContain(hostileTitle);
  });

  it.each([
    ['OUTPUT-FILE', '../x', 'outside GITHUB_WORKSPACE'],
    ['OUTPUT-FILE', '/etc/passwd', 'outside GITHUB_WORKSPACE'],
    ['OUTPUT-FILE', 'escape/out.txt', 'through a symlink'],
    ['OUTPUT-FILE', '.git/hooks/pre-commit', 'inside .git'],
    ['PROMPT-FILE', 'secret-link.md', 'through a symlink'],
    ['PROMPT-FILE', '/etc/passwd', 'outside GITHUB_WORKSPACE'],
    ['CONFIG', '../harness.toml', 'outside GITHUB_WORKSPACE'],
    ['WORKING-DIRECTORY', 'escape', 'through a symlink'],
  ])('refuses %s=%s', async (name, value, message) => {
    const before = model.script.requests.length;
    const result = await run({ 'ALLOW-ROOT': 'true', [name]: value });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.outputs).toEqual({});
    expect(existsSync(path.join(dir.path, 'x'))).toBe(false);
    expect(existsSync(path.join(outside, 'out.txt'))).toBe(false);
    expect(model.script.requests.length).toBe(before);
  });

  it.runIf(isRoot)('refuses to run as root unless allow-root is true', async () => {
    const refused = await run({});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to run as root');
    expect(refused.outputs).toEqual({});
    const invalid = await run({ 'ALLOW-ROOT': 'yes' });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('expected true or false');
    expect((await run({ 'ALLOW-ROOT': 'true', PROMPT: 'hello' })).code).toBe(0);
  });

  it('refuses without a workspace, and without any prompt', async () => {
    const noWorkspace = await run({ 'ALLOW-ROOT': 'true' }, { GITHUB_WORKSPACE: '' });
    expect(noWorkspace.stderr).toContain('GITHUB_WORKSPACE is not set');
    const push = path.join(dir.path, 'push.json');
    writeFileSync(push, JSON.stringify({ ref: 'refs/heads/main' }));
    const noPrompt = await run(
      { 'ALLOW-ROOT': 'true' },
      { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: push },
    );
    expect(noPrompt.code).toBe(1);
    expect(noPrompt.stderr).toContain('no prompt');
  });
});
