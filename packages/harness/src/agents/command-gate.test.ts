import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/index.js';
import { sandboxSpec } from '../sandbox/index.js';
import { consultCommandGate, endTurnOnRefusal, refusalOf } from './command-gate.js';
import type { CommandGate, CommandGateDecision } from './contract.js';
import { runTurn } from './turn.js';

const options = (commandGate: CommandGate) => ({
  prompt: 'p',
  cwd: '/w',
  sandbox: sandboxSpec({ mode: 'read-only', workspace: '/w' }),
  limits: { stallTimeoutMs: 60_000, turnTimeoutMs: 60_000 },
  commandGate,
});

describe('the command gate of a turn', () => {
  it('decides in the order asked, and refuses everything after a refusal without asking the policy', async () => {
    const asked: string[] = [];
    let releasePush: () => void = () => undefined;
    let pushAsked: () => void = () => undefined;
    const pushing = new Promise<void>((resolve) => (pushAsked = resolve));
    const gate: CommandGate = async ({ command }) => {
      asked.push(command);
      if (command.startsWith('git push')) {
        // The policy takes its time over the push; the call queued behind it must wait.
        await new Promise<void>((resolve) => {
          releasePush = resolve;
          pushAsked();
        });
        return { decision: 'forbidden', reason: "pushing is Harness's job" };
      }
      return { decision: 'allow' };
    };
    const decisions: CommandGateDecision[] = [];
    const turn = runTurn('claude', options(gate), silentLogger, async (ctx) => {
      const first = consultCommandGate(ctx, 'ls');
      const push = consultCommandGate(ctx, 'git push origin main');
      const queued = consultCommandGate(ctx, 'touch marker');
      await pushing;
      // The call queued behind the push has not reached the policy while the push is undecided.
      expect(asked).toEqual(['ls', 'git push origin main']);
      releasePush();
      decisions.push(await first, await push, await queued);
      endTurnOnRefusal(ctx);
      expect(refusalOf(ctx)?.command).toBe('git push origin main');
    });
    const end = await turn.done;
    expect(asked).toEqual(['ls', 'git push origin main']);
    expect(decisions.map((d) => d.decision)).toEqual(['allow', 'forbidden', 'forbidden']);
    expect(decisions[2]?.reason).toContain('refused `git push origin main` earlier');
    expect(end).toMatchObject({ type: 'error', code: 'policy_blocked' });
    expect(end.type === 'error' && end.message).toBe(
      "the command policy stopped the agent: `git push origin main` is forbidden (pushing is Harness's job)",
    );
  });

  it('ends the turn policy_blocked even when the agent reported a result first', async () => {
    const gate: CommandGate = async () => ({ decision: 'prompt', reason: 'needs a person' });
    const turn = runTurn('codex', options(gate), silentLogger, async (ctx) => {
      await consultCommandGate(ctx, 'npm publish');
      ctx.succeed('published', 1);
      endTurnOnRefusal(ctx);
    });
    expect(await turn.done).toMatchObject({
      type: 'error',
      code: 'policy_blocked',
      message: expect.stringContaining('`npm publish` needs approval'),
    });
  });

  it('refuses when the gate itself fails: a broken policy lets nothing by', async () => {
    const turn = runTurn(
      'anthropic_api',
      options(() => Promise.reject(new Error('boom'))),
      silentLogger,
      async (ctx) => {
        expect(await consultCommandGate(ctx, 'ls')).toMatchObject({ decision: 'forbidden' });
        endTurnOnRefusal(ctx);
      },
    );
    expect(await turn.done).toMatchObject({
      code: 'policy_blocked',
      message: expect.stringContaining('boom'),
    });
  });
});
