import { mkdirSync } from 'node:fs';
import { describeError, silentLogger, type Logger } from '../../core/index.js';
import { buildAgentEnv, type SandboxCapabilities, type SandboxMode } from '../../sandbox/index.js';
import type { AgentAdapter, AgentAvailability, AgentTurn, TurnOptions } from '../contract.js';
import { describeExit, runCliTurn, type CliInvocation } from '../process/cli-turn.js';
import { probeBinary, sharedSandboxProbe } from '../probe.js';
import { runTurn, type TurnContext } from '../turn.js';
import {
  describeModelAccess,
  withGatewayTurn,
  type GatewayLease,
  type ModelAccess,
} from '../gateway/index.js';
import { CLAUDE_ENV_KNOBS, CLAUDE_OWN_LOGIN, CLAUDE_QUIET, claudeGatewayEnv } from './environment.js';
import { endTurnOnRefusal, refusalOf } from '../command-gate.js';
import { answerControlRequest, initializeRequest, interruptRequest, userMessage } from './control.js';
import { ClaudeStreamMapper } from './mapper.js';
import { claudeStatePaths } from './state-paths.js';
import { ClaudeLineSchema, KNOWN_TYPES } from './schema.js';
import { parseAgentLine } from '../process/json-line.js';
import { cascadeClaudeCodeMisses, type AgentsMdSettings } from '../../context/index.js';
import { joinInstructions, turnCascade } from '../instructions.js';
import { activationText, TurnSkillRun } from '../skills.js';

export interface ClaudeAdapterOptions {
  cliPath?: string;
  defaultModel?: string | null;
  maxTurns?: number;
  extraArgs?: string[];
  /** Added to the agent's environment (e.g. `ANTHROPIC_BASE_URL`). */
  env?: Record<string, string>;
  /** A dedicated HOME for the CLI (hermetic runs); the inherited HOME otherwise. */
  home?: string;
  baseEnv?: Record<string, string | undefined>;
  probeSandbox?: () => Promise<SandboxCapabilities>;
  logger?: Logger;
  /** How long to wait for the CLI to exit after its `result` line before killing it. */
  exitGraceMs?: number;
  /** Through Harness's model gateway, or with Claude Code's own login; the latter when absent. */
  modelAccess?: ModelAccess;
  /** Variables of Harness's environment the operator shares with agents (`agents.env_passthrough`). */
  envPassthrough?: readonly string[];
  /** The AGENTS.md cascade to give each turn; none when absent. */
  agentsMd?: AgentsMdSettings;
}

const isRoot = (): boolean => typeof process.geteuid === 'function' && process.geteuid() === 0;

/**
 * Sandbox mode → Claude permission mode. `bypassPermissions` only for danger-full-access; as root
 * the CLI refuses it unless `IS_SANDBOX=1`, which Harness sets for that mode alone, deliberately:
 * the operator asked for full access, and the command gate still applies through the hook.
 */
export function permissionModeFor(mode: SandboxMode): string {
  if (mode === 'danger-full-access') return 'bypassPermissions';
  return mode === 'workspace-write' ? 'acceptEdits' : 'default';
}

/**
 * The turn's skills reach Claude Code as a plugin loaded for this session only (its skills are
 * `harness:<name>`), and the bodies of those that apply go into the system prompt, so they are
 * followed without the model having to ask.
 */
function withSkills(options: TurnOptions, skills: TurnSkillRun | null): TurnOptions {
  if (skills === null || skills.activated().length === 0) return options;
  return {
    ...options,
    appendSystemPrompt: joinInstructions(options.appendSystemPrompt, activationText(skills.activated())),
  };
}

export function claudeArgs(
  options: TurnOptions,
  adapter: ClaudeAdapterOptions,
  skills: TurnSkillRun | null = null,
): string[] {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--input-format', 'stream-json'];
  args.push(
    '--permission-prompt-tool',
    'stdio',
    '--permission-mode',
    permissionModeFor(options.sandbox.mode),
  );
  const model = options.model ?? adapter.defaultModel ?? null;
  if (model !== null) args.push('--model', model);
  if (options.resumeSessionId !== undefined) args.push('--resume', options.resumeSessionId);
  const systemPrompt = withSkills(options, skills).appendSystemPrompt;
  if (systemPrompt !== undefined) args.push('--append-system-prompt', systemPrompt);
  if (options.tools !== undefined) {
    const tools = options.tools.join(',');
    args.push('--tools', tools, '--allowedTools', tools);
  }
  const maxTurns = options.limits.maxTurns ?? adapter.maxTurns;
  if (maxTurns !== undefined) args.push('--max-turns', String(maxTurns));
  if (skills !== null) args.push('--plugin-dir', skills.dir);
  return [...args, ...(adapter.extraArgs ?? [])];
}

export class ClaudeAdapter implements AgentAdapter {
  readonly name = 'claude' as const;
  private readonly opts: ClaudeAdapterOptions;
  private readonly logger: Logger;
  private readonly caps: () => Promise<SandboxCapabilities>;

  constructor(options: ClaudeAdapterOptions = {}) {
    this.opts = options;
    this.logger = (options.logger ?? silentLogger).child({ agent: 'claude' });
    this.caps = options.probeSandbox ?? sharedSandboxProbe;
  }

  async probe(): Promise<AgentAvailability> {
    const bin = await probeBinary(this.opts.cliPath ?? 'claude', ['--version'], this.environment());
    return {
      name: this.name,
      enabled: true,
      usable: bin.path !== null && bin.version !== null,
      reason: bin.problem,
      version: bin.version,
      binary_path: bin.path,
      default_model: this.opts.defaultModel ?? null,
      command_gate: 'enforced',
      ...describeModelAccess(this.modelAccess()),
    };
  }

  private modelAccess(): ModelAccess {
    return this.opts.modelAccess ?? CLAUDE_OWN_LOGIN;
  }

  startTurn(options: TurnOptions): AgentTurn {
    return runTurn(this.name, options, this.logger, (ctx) => this.run(ctx));
  }

  private environment(mode?: SandboxMode, lease?: GatewayLease): Record<string, string> {
    const home = this.opts.home;
    if (home !== undefined) mkdirSync(home, { recursive: true });
    return buildAgentEnv(this.opts.baseEnv ?? process.env, {
      knobs: CLAUDE_ENV_KNOBS,
      passthrough: this.opts.envPassthrough ?? [],
      set: {
        ...CLAUDE_QUIET,
        ...(home === undefined ? {} : { HOME: home }),
        ...(mode === 'danger-full-access' && isRoot() ? { IS_SANDBOX: '1' } : {}),
        ...this.opts.env,
        ...(lease === undefined ? {} : claudeGatewayEnv(lease)),
      },
    });
  }

  private async run(ctx: TurnContext): Promise<void> {
    const access = this.modelAccess();
    if (access.mode === 'direct') return this.runWith(ctx, this.environment(ctx.options.sandbox.mode));
    // Claude Code reports its own retries (`api_retry` lines).
    await withGatewayTurn(
      ctx,
      access,
      (lease) => this.runWith(ctx, this.environment(ctx.options.sandbox.mode, lease)),
      'agent',
    );
  }

  private async runWith(ctx: TurnContext, env: Record<string, string>): Promise<void> {
    const { options } = ctx;
    const model = options.model ?? this.opts.defaultModel ?? null;
    const enforcement = options.sandbox.mode === 'danger-full-access' ? 'none' : 'bwrap';
    ctx.emit({
      type: 'turn_started',
      model,
      session_id: ctx.sessionId,
      sandbox: {
        mode: options.sandbox.mode,
        enforced_by: enforcement,
        network: 'shared (the CLI must reach its model endpoint)',
      },
    });
    const skills = TurnSkillRun.prepare(ctx, 'claude-plugin');
    try {
      skills?.announceActivated();
      await this.runCli(ctx, env, enforcement, model, skills);
    } finally {
      skills?.remove();
    }
  }

  private async runCli(
    ctx: TurnContext,
    env: Record<string, string>,
    enforcement: CliInvocation['enforcement'],
    model: string | null,
    skills: TurnSkillRun | null,
  ): Promise<void> {
    const { options } = ctx;
    // Claude Code reads CLAUDE.md, and AGENTS.md where no CLAUDE.md is, by itself: it is given only
    // the rest of the cascade, so no file reaches it twice.
    const cascade = turnCascade(ctx, this.opts.agentsMd);
    const appendSystemPrompt = joinInstructions(
      cascade === null ? null : cascadeClaudeCodeMisses(cascade),
      options.appendSystemPrompt,
    );
    const invocation: CliInvocation = {
      command: this.opts.cliPath ?? 'claude',
      args: claudeArgs({ ...options, appendSystemPrompt }, this.opts, skills),
      env,
      stdin: 'pipe',
      enforcement,
      stateDirs: enforcement === 'bwrap' ? claudeStatePaths(env) : [],
      readOnlyDirs: skills === null ? [] : [skills.dir],
    };
    const mapper = new ClaudeStreamMapper(ctx, model, skills);
    const afterResult = new AbortController();
    let graceTimer: NodeJS.Timeout | undefined;
    await runCliTurn(
      ctx,
      invocation,
      this.caps,
      {
        onLine: (line, proc) => {
          this.onLine(ctx, mapper, line, (reply) => proc.writeLine(JSON.stringify(reply)));
          if (mapper.resultSeen && graceTimer === undefined) {
            // `result` is terminal: close stdin, and do not wait forever for a CLI that hangs on.
            proc.closeStdin();
            graceTimer = setTimeout(() => afterResult.abort(), this.opts.exitGraceMs ?? 5_000);
          }
        },
        onExit: (status, proc) => {
          clearTimeout(graceTimer);
          if (!mapper.resultSeen) {
            ctx.fail('process_failed', `${describeExit('claude', status)} before its result`, {
              stderr_tail: proc.stderrTail(),
            });
          }
        },
      },
      afterResult.signal,
      (proc) => {
        // The CLI prints nothing until it gets input, so the handshake and prompt go first.
        proc.writeLine(JSON.stringify(initializeRequest(options.commandGate !== undefined)));
        proc.writeLine(JSON.stringify(userMessage(options.prompt)));
      },
    );
  }

  private onLine(
    ctx: TurnContext,
    mapper: ClaudeStreamMapper,
    raw: string,
    reply: (line: unknown) => void,
  ): void {
    const line = parseAgentLine(ctx, 'claude', raw, KNOWN_TYPES, ClaudeLineSchema);
    if (line === null) return;
    if (line.type === 'control_request') {
      // The gate fails closed inside; a failure left (writing the reply) ends the turn, so the
      // CLI is never left waiting on an answer that will not come.
      answerControlRequest(ctx, line, mapper.gateDenied)
        .then((answer) => {
          if (answer !== null) reply(answer);
          if (refusalOf(ctx) !== null) stopOnRefusal(ctx, reply);
        })
        .catch((error: unknown) => ctx.fail('protocol_error', describeError(error)));
      return;
    }
    mapper.handle(line);
  }
}

/**
 * A refused command ends the turn at once: the CLI is told to interrupt (it got the denial just
 * before) and its process group is killed, so nothing it had queued after the refusal runs.
 */
function stopOnRefusal(ctx: TurnContext, send: (line: unknown) => void): void {
  if (ctx.signal.aborted) return;
  send(interruptRequest());
  endTurnOnRefusal(ctx);
}
