/**
 * A GC run through the real Codex CLI against the scripted Responses API: Codex has no read tool
 * of its own, so the drafting agent reads the project with commands the drafting gate allows
 * (reading and searching programs), and its answer becomes a draft costed from the CLI's reported
 * usage. A patch is declined; a command that is not reading ends the turn; nothing is written.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SCRIPTED_CODEX_KEY_ENV,
  type ScriptTurn,
  type ScriptedOpenAiServer,
  startScriptedOpenAiServer,
  tempDir,
  writeScriptedCodexHome,
} from '@harness/testkit';
import { AgentRegistry, CodexAdapter } from '../../src/agents/index.js';
import { loadConfig } from '../../src/core/index.js';
import { AgentDrafter } from '../../src/quality/index.js';
import { codexBin, hasCodex } from '../agents/helpers.js';
import { type GcFixture, gcFixture, signal } from './gc-fixture.js';

let fx: GcFixture | undefined;
let server: ScriptedOpenAiServer | undefined;
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  await fx?.close();
  await server?.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

async function codexDrafter(turns: ScriptTurn[]): Promise<AgentDrafter> {
  server = await startScriptedOpenAiServer(turns);
  const home = tempDir();
  dirs.push(home);
  const codexHome = path.join(home.path, 'codex-home');
  writeScriptedCodexHome(codexHome, server.baseUrl);
  const { config } = loadConfig({ env: {}, home: home.path });
  const adapter = new CodexAdapter({
    cliPath: codexBin,
    codexHome,
    home: path.join(home.path, 'user-home'),
    env: { [SCRIPTED_CODEX_KEY_ENV]: 'dummy' },
  });
  return new AgentDrafter(new AgentRegistry(config.agents, [adapter]), 'codex');
}

const answer = [
  'src/a.ts keeps getting the same review finding; this guard reports every TODO left in src.',
  '',
  '```bash .harness/guards/no-todo.sh',
  '#!/bin/sh',
  'grep -rn TODO src | while IFS=: read -r f l _; do echo "$f:$l:NO-TODO:TODO left in the code"; done',
  '```',
].join('\n');

const patch = ['*** Begin Patch', '*** Add File: written-by-gc.txt', '+no', '*** End Patch', ''].join('\n');

describe.skipIf(!hasCodex)('GC drafting with Codex against the scripted model', () => {
  it('reads the project through read-only commands and answers with a guard that becomes a draft', async () => {
    const drafter = await codexDrafter([
      { tool_calls: [{ name: 'exec_command', input: { cmd: 'cat src/a.ts | grep -n old' } }] },
      { text: answer },
    ]);
    fx = gcFixture({ drafter, signals: [signal('review_findings', 'todo-left', 7)] });
    const report = await fx.gc.run(undefined);
    expect(report.errors).toEqual([]);
    const [draft] = report.drafts;
    expect(draft).toMatchObject({
      status: 'pending',
      agent: 'codex',
      artifacts: [{ path: '.harness/guards/no-todo.sh', kind: 'guard', format: 'file' }],
    });
    expect(draft?.cost_usd).toBeGreaterThan(0);
    expect(report.budget.spent_usd).toBe(draft?.cost_usd);
    const requests = server?.script.requests ?? [];
    // The model saw the signal, and the file's line came back from the read.
    expect(JSON.stringify(requests[0]?.body)).toContain('review_findings (todo-left)');
    expect(JSON.stringify(requests[1]?.body)).toContain('1:old');
  });

  it('declines a patch: nothing is written, and the answer that follows is still a draft', async () => {
    const drafter = await codexDrafter([
      { tool_calls: [{ name: 'apply_patch', input: patch }] },
      { text: answer },
    ]);
    fx = gcFixture({ drafter, signals: [signal('review_findings', 'todo-left', 7)] });
    const report = await fx.gc.run(undefined);
    expect(report.drafts).toHaveLength(1);
    expect(existsSync(path.join(fx.root, 'written-by-gc.txt'))).toBe(false);
    expect(JSON.stringify(server?.script.requests[1]?.body)).toContain('patch rejected');
  });

  for (const [what, call] of [
    ['a writing command', { name: 'exec_command', input: { cmd: 'echo no > written-by-gc.txt' } }],
    ['a disguised one', { name: 'exec_command', input: { cmd: 'find . -name a.ts -exec rm {} +' } }],
  ] as const) {
    it(`ends the drafting turn on ${what}, writing nothing`, async () => {
      const drafter = await codexDrafter([{ tool_calls: [call] }, { text: answer }]);
      fx = gcFixture({ drafter, signals: [signal('review_findings', 'todo-left', 7)] });
      const report = await fx.gc.run(undefined);
      expect(report.drafts).toEqual([]);
      expect(report.errors[0]?.message).toMatch(/the drafting agent failed \(codex\)/);
      expect(existsSync(path.join(fx.root, 'written-by-gc.txt'))).toBe(false);
      expect(readFileSync(path.join(fx.root, 'src/a.ts'), 'utf8')).toBe('old\n');
    });
  }
});
