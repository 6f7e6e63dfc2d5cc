import { isWithin } from '../../core/index.js';
import { consultCommandGate, refusalOf } from '../command-gate.js';
import type { TurnContext } from '../turn.js';
import { UnsupportedRequest } from './app-server.js';
import { CommandApprovalSchema, FileChangeApprovalSchema } from './schema.js';

/** Codex runs every command as `/bin/bash -lc '<script>'`; the policy is about the script. */
export function unwrapShell(command: string): string {
  const match = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c '((?:[^']|'\\'')*)'$/.exec(command);
  if (match?.[1] !== undefined) return match[1].replace(/'\\''/g, "'");
  const dq = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c "((?:[^"\\]|\\.)*)"$/.exec(command);
  if (dq?.[1] !== undefined) return dq[1].replace(/\\(["\\$`])/g, '$1');
  // A one-word script needs no quotes: `/bin/bash -lc ls`.
  return /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c ([\w./@%+=:,-]+)$/.exec(command)?.[1] ?? command;
}

/**
 * Answers the requests `codex app-server` sends before it acts. Harness runs Codex with approval
 * policy `untrusted`, so Codex asks before *every* command (measured with 0.169.0: `ls` and `cat`
 * included); each one goes through the command gate, and only `allow` runs. Codex's own sandbox is
 * off (an approved command would run outside it), so approving never widens the sandbox: Harness's
 * bubblewrap around the whole CLI is what confines it.
 */
export class CodexApprovals {
  /** Commands Codex asked about, by item id; a command that ran without asking is caught later. */
  readonly asked = new Set<string>();

  /**
   * @param onRefusal ends Codex's turn once a command is refused; called after the decline is on
   *   its way, so Codex hears "declined" before it hears "interrupted".
   */
  constructor(
    private readonly ctx: TurnContext,
    private readonly onRefusal: (threadId: string, turnId: string) => void,
  ) {}

  async answer(method: string, params: unknown): Promise<unknown> {
    switch (method) {
      case 'item/commandExecution/requestApproval':
        return { decision: await this.command(params) };
      case 'item/fileChange/requestApproval':
        return { decision: this.fileChange(params) };
      case 'item/permissions/requestApproval':
        // Wider filesystem or network access is the sandbox's to give, not the agent's to ask for.
        return { permissions: {}, scope: 'turn' };
      case 'item/tool/requestUserInput':
        return { answers: {} };
      case 'mcpServer/elicitation/request':
        return { action: 'decline', content: null, _meta: null };
      default:
        throw new UnsupportedRequest(`Harness does not answer ${method}`);
    }
  }

  private async command(params: unknown): Promise<'accept' | 'decline'> {
    const request = CommandApprovalSchema.parse(params);
    this.asked.add(request.itemId);
    // Input for a running terminal (`kind: writeStdin`) is checked like a command line too: typed
    // into a shell it is one, and typed into anything else it matches no rule.
    const command = unwrapShell(request.command ?? '');
    const verdict = await consultCommandGate(this.ctx, command);
    if (verdict.decision === 'allow') return 'accept';
    setImmediate(() => this.onRefusal(request.threadId, request.turnId));
    return 'decline';
  }

  private fileChange(params: unknown): 'accept' | 'decline' {
    const request = FileChangeApprovalSchema.parse(params);
    const { sandbox } = this.ctx.options;
    // After a refusal the turn is over: a patch queued behind the refused command is not applied.
    if (refusalOf(this.ctx) !== null || this.ctx.signal.aborted) return 'decline';
    if (sandbox.mode === 'read-only') return 'decline';
    const root = request.grantRoot ?? null;
    if (root !== null && sandbox.mode !== 'danger-full-access' && !isWithin(sandbox.workspace, root)) {
      return 'decline';
    }
    return 'accept';
  }
}
