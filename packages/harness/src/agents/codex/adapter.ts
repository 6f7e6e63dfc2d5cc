import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describeError, silentLogger, type Logger } from '../../core/index.js';
import { sanitizeAgentEnv, type SandboxCapabilities } from '../../sandbox/index.js';
import type {
  AgentAdapter,
  AgentAvailability,
  AgentTurn,
  CommandGateDecision,
  TurnOptions,
} from '../contract.js';
import { describeExit, runCliTurn, type CliInvocation } from '../process/cli-turn.js';
import type { Supervised } from '../process/supervisor.js';
import { probeBinary, sharedSandboxProbe } from '../probe.js';
import { runTurn, type TurnContext } from '../turn.js';
import { codexRejects, codexRulesFor, InstalledRules } from './exec-rules.js';
import { CodexStreamMapper } from './mapper.js';
import { RefusalWatcher } from './refusals.js';
import { CodexLineSchema, KNOWN_CODEX_TYPES, type CodexItem } from './schema.js';
import { parseAgentLine } from '../process/json-line.js';

export interface CodexAdapterOptions {
  cliPath?: string;
  defaultModel?: string | null;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** A dedicated CODEX_HOME (config, auth, sessions); the inherited one otherwise. */
  codexHome?: string;
  /** A dedicated HOME for the CLI. */
  home?: string;
  baseEnv?: Record<string, string | undefined>;
  probeSandbox?: () => Promise<SandboxCapabilities>;
  logger?: Logger;
}

/** Codex runs every command as `/bin/bash -lc '<script>'`; the policy is about the script. */
export function unwrapShell(command: string): string {
  const match = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c '((?:[^']|'\\'')*)'$/.exec(command);
  if (match?.[1] !== undefined) return match[1].replace(/'\\''/g, "'");
  const dq = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c "((?:[^"\\]|\\.)*)"$/.exec(command);
  if (dq?.[1] !== undefined) return dq[1].replace(/\\(["\\$`])/g, '$1');
  return command;
}

export function codexArgs(options: TurnOptions, adapter: CodexAdapterOptions): string[] {
  // Codex enforces the sandbox mode itself (its bundled bubblewrap on Linux).
  const args = ['exec', '--json', '--color', 'never', '--skip-git-repo-check', '-C', options.cwd];
  args.push('--sandbox', options.sandbox.mode, '-c', 'approval_policy="never"');
  if (options.sandbox.mode === 'workspace-write') {
    args.push('-c', `sandbox_workspace_write.network_access=${options.sandbox.network ? 'true' : 'false'}`);
  }
  const model = options.model ?? adapter.defaultModel ?? null;
  if (model !== null) args.push('-m', model);
  if (options.appendSystemPrompt !== undefined) {
    args.push('-c', `developer_instructions=${JSON.stringify(options.appendSystemPrompt)}`);
  }
  args.push(...(adapter.extraArgs ?? []));
  if (options.resumeSessionId !== undefined) args.push('resume', options.resumeSessionId);
  return [...args, '--', options.prompt];
}

function hasCredentials(env: Record<string, string>): boolean {
  if (env.OPENAI_API_KEY || env.CODEX_API_KEY) return true;
  const home = env.CODEX_HOME ?? path.join(env.HOME ?? '', '.codex');
  return existsSync(path.join(home, 'auth.json')) || existsSync(path.join(home, 'config.toml'));
}

export class CodexAdapter implements AgentAdapter {
  readonly name = 'codex' as const;
  private readonly opts: CodexAdapterOptions;
  private readonly logger: Logger;
  private readonly caps: () => Promise<SandboxCapabilities>;

  constructor(options: CodexAdapterOptions = {}) {
    this.opts = options;
    this.logger = (options.logger ?? silentLogger).child({ agent: 'codex' });
    this.caps = options.probeSandbox ?? sharedSandboxProbe;
  }

  async probe(): Promise<AgentAvailability> {
    const env = this.environment(false);
    const bin = await probeBinary(this.opts.cliPath ?? 'codex', ['--version'], env);
    const creds = hasCredentials(env);
    const usable = bin.path !== null && bin.version !== null && creds;
    const reason =
      bin.problem ??
      (creds ? null : 'no OpenAI credentials: set OPENAI_API_KEY or CODEX_API_KEY, or log in with codex');
    return {
      name: this.name,
      enabled: true,
      usable,
      reason: usable ? null : reason,
      version: bin.version,
      binary_path: bin.path,
      default_model: this.opts.defaultModel ?? null,
      command_gate: 'not_enforced',
    };
  }

  startTurn(options: TurnOptions): AgentTurn {
    return runTurn(this.name, options, this.logger, (ctx) => this.run(ctx));
  }

  private environment(sandboxed: boolean): Record<string, string> {
    const { codexHome, home } = this.opts;
    if (codexHome !== undefined) mkdirSync(codexHome, { recursive: true });
    // Codex's sandbox refuses to set up its helpers when CODEX_HOME lies under TMPDIR.
    const tmp = sandboxed && codexHome !== undefined ? path.join(codexHome, '.tmp') : undefined;
    if (tmp !== undefined) mkdirSync(tmp, { recursive: true });
    return sanitizeAgentEnv(this.opts.baseEnv ?? process.env, {
      ...(codexHome === undefined ? {} : { CODEX_HOME: codexHome }),
      ...(home === undefined ? {} : { HOME: home }),
      ...(tmp === undefined ? {} : { TMPDIR: tmp }),
      ...this.opts.env,
    });
  }

  private async run(ctx: TurnContext): Promise<void> {
    const { options } = ctx;
    const model = options.model ?? this.opts.defaultModel ?? null;
    const sandboxed = options.sandbox.mode !== 'danger-full-access';
    ctx.emit({
      type: 'turn_started',
      model,
      session_id: ctx.sessionId,
      sandbox: {
        mode: options.sandbox.mode,
        enforced_by: sandboxed ? 'codex' : 'none',
        network: sandboxed && !options.sandbox.network ? 'denied to commands by codex' : 'shared',
      },
    });
    const env = this.environment(sandboxed);
    const rules = await this.installRules(ctx, env);
    try {
      await this.execute(ctx, env, rules);
    } finally {
      rules?.remove();
    }
  }

  private async execute(ctx: TurnContext, env: Record<string, string>, rules: InstalledRules | null) {
    const { options } = ctx;
    const model = options.model ?? this.opts.defaultModel ?? null;
    const sandboxed = options.sandbox.mode !== 'danger-full-access';
    const invocation: CliInvocation = {
      command: this.opts.cliPath ?? 'codex',
      args: codexArgs(options, this.opts),
      env,
      stdin: 'ignore',
      enforcement: sandboxed ? 'native' : 'none',
      stateDirs: [],
    };
    const mapper = new CodexStreamMapper(ctx, model);
    const policyStop = new AbortController();
    mapper.onCommandStarted = (item) => void this.gate(ctx, item, policyStop);
    const refusals = new RefusalWatcher();
    let refused = 0;
    await runCliTurn(
      ctx,
      invocation,
      this.caps,
      {
        onLine: (line, proc) => {
          refused += this.reportRefusals(ctx, refusals, proc);
          // Codex has read its rules before it announces the thread (measured), so they can go.
          if (line.includes('"thread.started"')) rules?.remove();
          if (refused > 0 && line.includes('"turn.completed"')) {
            ctx.fail('policy_blocked', `codex refused ${refused} command(s) under the command policy`);
          }
          this.onLine(ctx, mapper, line);
        },
        onExit: (status, proc) => {
          if (mapper.completed) return;
          const why = mapper.lastError === null ? '' : `: ${mapper.lastError}`;
          ctx.fail('process_failed', `${describeExit('codex', status)} before the turn completed${why}`, {
            stderr_tail: proc.stderrTail(),
          });
        },
      },
      policyStop.signal,
    );
  }

  /**
   * Hands the policy's prompt/forbidden rules to Codex so it refuses them before they run (with
   * approval "never", a prompt rule is a refusal too). A file Codex's parser rejects would make it
   * drop every custom rule, so each is checked first and left to the after-the-fact gate if refused.
   */
  private async installRules(ctx: TurnContext, env: Record<string, string>): Promise<InstalledRules | null> {
    const files = ctx.options.policyFiles ?? [];
    if (files.length === 0 || ctx.options.commandGate === undefined) return null;
    const home = env.CODEX_HOME ?? path.join(env.HOME ?? '', '.codex');
    const rules = InstalledRules.in(home);
    for (const { source, text } of await codexRulesFor(files)) {
      const file = rules.write(ctx.turnId, text);
      const problem = await codexRejects(this.opts.cliPath ?? 'codex', env, file);
      if (problem === null) continue;
      rules.drop(file);
      ctx.emit({
        type: 'warning',
        message: `codex cannot load the rules of ${source} (${problem}); they are checked only once a command has started`,
      });
    }
    return rules;
  }

  /** Commands Codex refused never show up on stdout; report them from its stderr log. */
  private reportRefusals(ctx: TurnContext, watcher: RefusalWatcher, proc: Supervised): number {
    const found = watcher.fresh(proc.stderrTail());
    for (const refusal of found) {
      const command = refusal.command === null ? '(not named by codex)' : unwrapShell(refusal.command);
      const reason = `codex refused it before it ran: ${refusal.reason}`;
      ctx.emit({ type: 'command_gate', command, decision: refusal.decision, reason });
      ctx.emit({
        type: 'command',
        call_id: null,
        command,
        exit_code: null,
        output: reason,
        status: 'declined',
      });
    }
    return found.length;
  }

  /**
   * `codex exec` has no approval channel, so the gate can only see a command once it has started:
   * a refused command ends the turn at once (`policy_blocked`) instead of being prevented.
   */
  private async gate(ctx: TurnContext, item: CodexItem, policyStop: AbortController): Promise<void> {
    const gate = ctx.options.commandGate;
    if (gate === undefined) return;
    const command = unwrapShell(item.command ?? '');
    let verdict: CommandGateDecision;
    try {
      verdict = await gate({ command, cwd: ctx.options.cwd });
    } catch (error) {
      verdict = { decision: 'forbidden', reason: `the command gate failed: ${describeError(error)}` };
    }
    ctx.emit({ type: 'command_gate', command, decision: verdict.decision, reason: verdict.reason ?? null });
    if (verdict.decision === 'allow') return;
    ctx.fail(
      'policy_blocked',
      `the command policy refused \`${command}\`${verdict.reason ? `: ${verdict.reason}` : ''}; codex was stopped`,
    );
    policyStop.abort();
  }

  private onLine(ctx: TurnContext, mapper: CodexStreamMapper, raw: string): void {
    const line = parseAgentLine(ctx, 'codex', raw, KNOWN_CODEX_TYPES, CodexLineSchema);
    if (line !== null) mapper.handle(line);
  }
}
