import type { ApprovalRecord } from '@harness/protocol';
import type { CommandGate } from '../agents/index.js';

/**
 * The answers people gave a task, on top of the policy's command gate. Only a command the policy
 * says needs approval (`prompt`) is affected, and only the exact command that was answered:
 * `allow_always` lets it run for the rest of the task, `allow_once` lets it run once, `deny`
 * refuses it (the turn ends, naming who refused and their note). An allowed or forbidden verdict
 * of the policy is never changed, and the policy file itself never is.
 */
export interface ApprovalLedger {
  /** The task's answers, oldest first. */
  approvals(): readonly ApprovalRecord[];
  /** Records that the `allow_once` answer at `index` was used; stored before the command runs. */
  use(index: number): Promise<void>;
}

export function withApprovals(
  policy: CommandGate | undefined,
  ledger: ApprovalLedger,
): CommandGate | undefined {
  if (policy === undefined) return undefined;
  return async (request) => {
    const verdict = await policy(request);
    if (verdict.decision !== 'prompt') return verdict;
    const answered = latestAnswer(ledger.approvals(), request.command);
    if (answered === null) return verdict;
    const { record, index } = answered;
    const why = verdict.reason === undefined ? '' : ` (the policy: ${verdict.reason})`;
    switch (record.decision) {
      case 'allow_always':
        return { decision: 'allow', reason: `approved for this task by ${record.decided_by}${why}` };
      case 'allow_once':
        if (record.used) return verdict;
        await ledger.use(index);
        return { decision: 'allow', reason: `approved once by ${record.decided_by}${why}` };
      case 'deny':
        return { decision: 'forbidden', reason: refusedReason(record) };
    }
  };
}

/** The latest answer about exactly this command. */
function latestAnswer(
  approvals: readonly ApprovalRecord[],
  command: string,
): { record: ApprovalRecord; index: number } | null {
  for (let index = approvals.length - 1; index >= 0; index--) {
    const record = approvals[index];
    if (record?.command === command) return { record, index };
  }
  return null;
}

function refusedReason(record: ApprovalRecord): string {
  const note = record.note === null ? '' : `: ${record.note}`;
  return `a person (${record.decided_by}) refused \`${record.command}\` for this task${note}`;
}

/** What the agent is told first when its task resumes after a person answered. */
export function answerPreface(record: ApprovalRecord): string {
  const note = record.note === null ? '' : `\nTheir note: ${record.note}`;
  const command = `\`${record.command}\``;
  switch (record.decision) {
    case 'allow_once':
      return `Your task was paused because ${command} needs a person's approval. A person approved it to run once: run it now if you still need it, then carry on with the task.${note}`;
    case 'allow_always':
      return `Your task was paused because ${command} needs a person's approval. A person approved it for the rest of this task: run it when you need it and carry on with the task.${note}`;
    case 'deny':
      return `Your task was paused because ${command} needs a person's approval. A person REFUSED it: do not run it again. Find another way to finish the task.${note}`;
  }
}
