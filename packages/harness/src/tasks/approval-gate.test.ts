import { describe, expect, it } from 'vitest';
import type { ApprovalDecision, ApprovalRecord } from '@harness/protocol';
import type { CommandGate } from '../agents/index.js';
import { withApprovals } from './approval-gate.js';

/** The policy: `make deploy …` needs approval, `rm -rf /` is forbidden, the rest is allowed. */
const policy: CommandGate = async ({ command }) => {
  if (command.startsWith('make deploy')) return { decision: 'prompt', reason: 'agents.star:1: ask first' };
  if (command === 'rm -rf /') return { decision: 'forbidden', reason: 'agents.star:2: never' };
  return { decision: 'allow' };
};

const answer = (command: string, decision: ApprovalDecision, note: string | null = null): ApprovalRecord => ({
  command,
  reason: null,
  stage: 'implementing',
  role: 'implementor',
  thread_id: null,
  asked_at: '2026-01-01T00:00:00.000Z',
  decision,
  note,
  decided_by: 'rest',
  decided_at: '2026-01-01T00:00:00.000Z',
  used: false,
  delivered: true,
});

/** A gate over `approvals`, whose `use` records in place as the task would. */
function gateOver(approvals: ApprovalRecord[]): CommandGate {
  const gate = withApprovals(policy, {
    approvals: () => approvals,
    use: async (index) => {
      approvals[index] = { ...approvals[index]!, used: true };
    },
  });
  if (gate === undefined) throw new Error('a policy gate was given');
  return gate;
}
const ask = (gate: CommandGate, command: string) => gate({ command, cwd: '/tmp' });

describe('the approvals on top of the policy gate', () => {
  it('allows the exact command once for allow_once, then asks again', async () => {
    const approvals = [answer('make deploy', 'allow_once')];
    const gate = gateOver(approvals);
    expect(await ask(gate, 'make deploy')).toMatchObject({ decision: 'allow' });
    expect(approvals[0]?.used).toBe(true);
    expect(await ask(gate, 'make deploy')).toEqual({
      decision: 'prompt',
      reason: 'agents.star:1: ask first',
    });
  });

  it('allows it every time for allow_always, and only that exact command', async () => {
    const gate = gateOver([answer('make deploy', 'allow_always')]);
    expect(await ask(gate, 'make deploy')).toMatchObject({ decision: 'allow' });
    expect(await ask(gate, 'make deploy')).toMatchObject({ decision: 'allow' });
    expect(await ask(gate, 'make deploy --force')).toMatchObject({ decision: 'prompt' });
  });

  it('forbids it after deny, naming who refused and their note; the latest answer counts', async () => {
    const approvals = [answer('make deploy', 'allow_always'), answer('make deploy', 'deny', 'use staging')];
    expect(await ask(gateOver(approvals), 'make deploy')).toEqual({
      decision: 'forbidden',
      reason: 'a person (rest) refused `make deploy` for this task: use staging',
    });
  });

  it('never changes what the policy forbids or allows', async () => {
    const gate = gateOver([answer('rm -rf /', 'allow_always'), answer('ls', 'deny')]);
    expect(await ask(gate, 'rm -rf /')).toMatchObject({
      decision: 'forbidden',
      reason: 'agents.star:2: never',
    });
    expect(await ask(gate, 'ls')).toEqual({ decision: 'allow' });
    expect(withApprovals(undefined, { approvals: () => [], use: async () => undefined })).toBeUndefined();
  });
});
