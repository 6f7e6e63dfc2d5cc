import { isWithin } from '../../core/index.js';
import { parseShell } from '../../shell/index.js';
import { consultCommandGate, refusalOf } from '../command-gate.js';
import type { TurnContext } from '../turn.js';
import { UnsupportedRequest } from './app-server.js';
import { CommandApprovalSchema, FileChangeApprovalSchema } from './schema.js';

/** The shells Codex wraps its commands in, as it names them. */
const CODEX_SHELLS = new Set(
  ['sh', 'bash', 'zsh'].flatMap((name) => [name, `/bin/${name}`, `/usr/bin/${name}`]),
);

/**
 * Codex runs every command as `/bin/bash -lc '<script>'` and reports it as that line; the policy is
 * about the script. The line is read with the shell parser: only when it is exactly one such shell
 * with `-c`/`-lc` and one script word known before it runs (no expansion, no second command, no
 * redirection) is the script taken out. Anything else is checked whole, as the line it is.
 */
export function unwrapShell(command: string): string {
  const parsed = parseShell(command);
  const only = parsed.commands.length === 1 ? parsed.commands[0] : undefined;
  if (only === undefined || parsed.problems.length > 0 || only.origin !== 'command') return command;
  if (only.assignments.length > 0 || only.redirections.length > 0 || only.stdinFed) return command;
  if (only.words.length !== 3 || only.words.some((word) => word.dynamic)) return command;
  const [shell, flag, script] = only.words.map((word) => word.text) as [string, string, string];
  return CODEX_SHELLS.has(shell) && (flag === '-c' || flag === '-lc') ? script : command;
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
    private readonly onRefusal: (refused: {
      threadId: string;
      turnId: string;
      itemId: string;
      command: string;
    }) => void,
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
    const refused = { threadId: request.threadId, turnId: request.turnId, itemId: request.itemId, command };
    setImmediate(() => this.onRefusal(refused));
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
