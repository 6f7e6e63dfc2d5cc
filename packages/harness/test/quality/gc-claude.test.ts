/**
 * A GC run through the real Claude Code CLI against the scripted Messages API: the drafting agent
 * reads the project, may not write (Write is not among its tools, the sandbox is read-only), and
 * its answer becomes a draft with a guard artifact, costed from the CLI's reported usage. A
 * per-draft budget the turn passes ends the turn, and the run records the error and the spend.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ScriptTurn,
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  tempDir,
} from '@harness/testkit';
import { AgentRegistry, ClaudeAdapter } from '../../src/agents/index.js';
import { loadConfig } from '../../src/core/index.js';
import { AgentDrafter, DRAFT_TOOLS } from '../../src/quality/index.js';
import { claudeBin, hasClaude } from '../agents/helpers.js';
import { type GcFixture, gcFixture, signal } from './gc-fixture.js';

let fx: GcFixture | undefined;
let server: ScriptedAnthropicServer | undefined;
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  await fx?.close();
  await server?.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

async function claudeDrafter(turns: ScriptTurn[]): Promise<AgentDrafter> {
  server = await startScriptedAnthropicServer(turns);
  const home = tempDir();
  dirs.push(home);
  const { config } = loadConfig({ env: {}, home: home.path });
  const adapter = new ClaudeAdapter({
    cliPath: claudeBin,
    home: path.join(home.path, 'claude-home'),
    env: scriptedClaudeEnv(server.baseUrl),
  });
  return new AgentDrafter(new AgentRegistry(config.agents, [adapter]), 'claude');
}

const answer = [
  'src/a.ts keeps getting the same review finding; this guard reports every TODO left in src.',
  '',
  '```bash .harness/guards/no-todo.sh',
  '#!/bin/sh',
  'grep -rn TODO src | while IFS=: read -r f l _; do echo "$f:$l:NO-TODO:TODO left in the code"; done',
  '```',
].join('\n');

describe.skipIf(!hasClaude)('GC drafting with Claude Code against the scripted model', () => {
  it('reads the project, cannot write, and answers with a guard that becomes a draft', async () => {
    const drafter = await claudeDrafter([
      { text: 'Looking at the file.', tool_calls: [{ name: 'Read', input: { file_path: 'src/a.ts' } }] },
      { tool_calls: [{ name: 'Write', input: { file_path: 'written-by-gc.txt', content: 'no\n' } }] },
      { text: answer },
    ]);
    fx = gcFixture({ drafter, signals: [signal('review_findings', 'todo-left', 7)] });
    const report = await fx.gc.run(undefined);
    expect(report.errors).toEqual([]);
    const [draft] = report.drafts;
    expect(draft).toMatchObject({
      status: 'pending',
      agent: 'claude',
      artifacts: [{ path: '.harness/guards/no-todo.sh', kind: 'guard', format: 'file' }],
      rationale: 'src/a.ts keeps getting the same review finding; this guard reports every TODO left in src.',
    });
    expect(draft?.cost_usd).toBeGreaterThan(0);
    expect(report.budget.spent_usd).toBe(draft?.cost_usd);
    expect(existsSync(path.join(fx.root, 'written-by-gc.txt'))).toBe(false);

    // The model saw the signal in the prompt and was offered the read and search tools only.
    const first = server?.script.requests.find((r) => r.turn === 0)?.body as {
      tools?: { name: string }[];
      messages: unknown[];
    };
    expect(JSON.stringify(first.messages)).toContain('review_findings (todo-left)');
    const offered = (first.tools ?? []).map((t) => t.name);
    expect(offered).toEqual(expect.arrayContaining([...DRAFT_TOOLS]));
    expect(offered).not.toContain('Write');
    expect(offered).not.toContain('Edit');
    expect(offered).not.toContain('Bash');
    // The file was read: its content went back to the model.
    const second = server?.script.requests.find((r) => r.turn === 1)?.body;
    expect(JSON.stringify(second)).toContain('old');
  });

  it('ends a turn that passes the per-draft budget, records the error and what it spent', async () => {
    const drafter = await claudeDrafter([
      {
        text: 'Reading.',
        tool_calls: [{ name: 'Read', input: { file_path: 'src/a.ts' } }],
        usage: { input_tokens: 400_000, output_tokens: 10 },
      },
      { text: answer },
    ]);
    fx = gcFixture({
      drafter,
      signals: [signal('review_findings', 'todo-left', 7)],
      settings: { budget_per_signal_usd: 0.01, total_budget_usd: 1 },
    });
    const report = await fx.gc.run(undefined);
    expect(report.drafts).toEqual([]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.message).toMatch(
      /signal review_findings \(todo-left\): the drafting agent failed \(claude\): budget_exceeded/,
    );
    expect(report.budget.spent_usd).toBeGreaterThan(0.01);
  });
});
