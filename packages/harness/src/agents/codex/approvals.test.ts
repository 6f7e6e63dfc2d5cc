import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { sandboxSpec } from '../../sandbox/index.js';
import type { CommandGate } from '../contract.js';
import { runTurn } from '../turn.js';
import { CodexApprovals, unwrapShell } from './approvals.js';

/**
 * Codex's approval requests name the command as one shell line. The gate must be asked about what
 * would really run: the script inside `/bin/bash -lc '…'` when that is all the line is, and the
 * whole line whenever it is anything more.
 */
async function ask(command: string): Promise<{ seen: string[]; answer: unknown }> {
  const seen: string[] = [];
  // A stand-in for the policy: it refuses any line that mentions a push.
  const gate: CommandGate = ({ command: line }) => {
    seen.push(line);
    return Promise.resolve(line.includes('git push') ? { decision: 'forbidden' } : { decision: 'allow' });
  };
  let answer: unknown;
  const options = {
    prompt: 'p',
    cwd: '/w',
    sandbox: sandboxSpec({ mode: 'read-only', workspace: '/w' }),
    limits: { stallTimeoutMs: 60_000, turnTimeoutMs: 60_000 },
    commandGate: gate,
  };
  const turn = runTurn('codex', options, silentLogger, async (ctx) => {
    const approvals = new CodexApprovals(ctx, () => undefined);
    answer = await approvals.answer('item/commandExecution/requestApproval', {
      threadId: 't',
      turnId: 'u',
      itemId: 'i',
      command,
    });
    ctx.succeed('done', 1);
  });
  await turn.done;
  return { seen, answer };
}

describe("Codex's approval requests, read with the shell parser", () => {
  it('asks about the script of a plain `bash -lc`, quoted however Codex quotes it', async () => {
    expect(await ask("/bin/bash -lc 'git status --short'")).toEqual({
      seen: ['git status --short'],
      answer: { decision: 'accept' },
    });
    expect((await ask(`/bin/bash -lc 'echo it'"'"'s'`)).seen).toEqual(["echo it's"]);
    expect((await ask('/usr/bin/zsh -c "git commit -qm \\"x y\\""')).seen).toEqual(['git commit -qm "x y"']);
    expect((await ask('bash -lc ls')).seen).toEqual(['ls']);
  });

  it('sees through quoting that hides the command from a pattern', async () => {
    expect(await ask("/bin/bash -lc $'git\\x20push origin main'")).toEqual({
      seen: ['git push origin main'],
      answer: { decision: 'decline' },
    });
    expect((await ask("/bin/bash -lc 'git pu''sh'")).answer).toEqual({ decision: 'decline' });
  });

  it('asks about the whole line when it is more than one shell with one script', async () => {
    const disguised = [
      "/bin/bash -lc 'git status' && git push origin main",
      "/bin/bash -lc 'git status'; git push",
      "/bin/bash -lc 'git status' | git push",
      "/bin/bash -lc 'git status' `git push`",
      '/bin/bash -lc "$(echo git push)"',
      "/bin/bash -lc 'git status' > .git/hooks/post-commit",
      "GIT_SSH_COMMAND='git push' /bin/bash -lc 'git fetch'",
      "/bin/bash -lc 'git status' 'git push'",
      "/bin/bash -l -c 'git status' git push",
      "python3 -c 'git status' && git push",
    ];
    for (const line of disguised) {
      const { seen, answer } = await ask(line);
      expect(seen, line).toEqual([line]);
      // The redirection writes a hook, not a push: what the gate says of the whole line stands.
      expect(answer, line).toEqual({ decision: line.includes('git push') ? 'decline' : 'accept' });
    }
  });

  it('leaves alone what is not a shell wrapper, and what it cannot parse', () => {
    expect(unwrapShell('git status')).toBe('git status');
    expect(unwrapShell("/bin/bash -lc 'unterminated")).toBe("/bin/bash -lc 'unterminated");
    expect(unwrapShell('/opt/bash -lc ls')).toBe('/opt/bash -lc ls');
    expect(unwrapShell('/bin/bash -x ls')).toBe('/bin/bash -x ls');
  });
});
