import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describeError, harnessVersion, silentLogger, type Logger } from '../../core/index.js';
import { buildAgentEnv, type SandboxCapabilities } from '../../sandbox/index.js';
import type { AgentAdapter, AgentAvailability, AgentTurn, TurnOptions } from '../contract.js';
import { describeExit, runCliTurn, type CliInvocation } from '../process/cli-turn.js';
import type { Supervised } from '../process/supervisor.js';
import { probeBinary, sharedSandboxProbe } from '../probe.js';
import {
  consultCommandGate,
  endTurnOnRefusal,
  refusalMessage,
  refusalOf,
  type Refusal,
} from '../command-gate.js';
import { runTurn, type TurnContext } from '../turn.js';
import {
  describeModelAccess,
  withGatewayTurn,
  type GatewayLease,
  type ModelAccess,
} from '../gateway/index.js';
import { codexGatewayArgs, codexModelAccess, CODEX_GATEWAY_KEY_ENV, hasCodexLogin } from './model-access.js';
import { AppServerConnection } from './app-server.js';
import { CodexApprovals, unwrapShell } from './approvals.js';
import { CodexEventMapper } from './mapper.js';
import { ThreadResponseSchema, type ThreadItem } from './schema.js';
import { TurnSkillRun } from '../skills.js';
import { skillInputs, useRunSkills } from './skills.js';

import type { AgentsMdCascade, AgentsMdSettings } from '../../context/index.js';
import { joinInstructions, turnCascade } from '../instructions.js';

export { unwrapShell } from './approvals.js';

export interface CodexAdapterOptions {
  cliPath?: string;
  defaultModel?: string | null;
  /** Extra `codex app-server` arguments, e.g. `-c key=value` overrides. */
  extraArgs?: string[];
  env?: Record<string, string>;
  /** A dedicated CODEX_HOME (config, auth, sessions); the inherited one otherwise. */
  codexHome?: string;
  /** A dedicated HOME for the CLI. */
  home?: string;
  baseEnv?: Record<string, string | undefined>;
  probeSandbox?: () => Promise<SandboxCapabilities>;
  logger?: Logger;
  /** How long Codex may take to exit once the turn is over and its stdin is closed. */
  exitGraceMs?: number;
  /**
   * Harness's model gateway, when Harness holds an OpenAI key. Codex still uses its own login when
   * its config.toml selects another provider, or when there is no gateway.
   */
  gateway?: Extract<ModelAccess, { mode: 'gateway' }>;
  /** Variables of Harness's environment the operator shares with agents (`agents.env_passthrough`). */
  envPassthrough?: readonly string[];
  /**
   * The AGENTS.md cascade. Codex reads it natively from the worktree and its CODEX_HOME; these
   * settings give it the same cap and fallback names as every other agent.
   */
  agentsMd?: AgentsMdSettings;
}

/** Streaming deltas Harness does not use; the completed items carry the same text. */
const UNUSED_NOTIFICATIONS = [
  'item/agentMessage/delta',
  'item/reasoning/textDelta',
  'item/reasoning/summaryTextDelta',
  'item/reasoning/summaryPartAdded',
  'item/plan/delta',
  'item/fileChange/outputDelta',
];

/**
 * `codex app-server` arguments. The worktree is declared trusted for this process only: otherwise
 * Codex writes a `[projects."<worktree>"]` entry into the user's config.toml on every thread.
 * Terminals are off: `write_stdin` to a shell started with a tty runs whatever it types without
 * asking (measured with 0.169.0), so only one-shot commands, each approved, remain.
 */
export function codexArgs(cwd: string, adapter: CodexAdapterOptions, providerArgs: string[] = []): string[] {
  return [
    'app-server',
    '-c',
    `projects={${JSON.stringify(cwd)}={trust_level="trusted"}}`,
    '--disable',
    'unified_exec_tty',
    ...agentsMdArgs(adapter.agentsMd),
    ...providerArgs,
    ...(adapter.extraArgs ?? []),
  ];
}

/** Codex's own names for the cascade's cap and fallback names, so it assembles what others get. */
export function agentsMdArgs(settings: AgentsMdSettings | undefined): string[] {
  if (settings === undefined) return [];
  return [
    '-c',
    `project_doc_max_bytes=${settings.maxBytes}`,
    '-c',
    `project_doc_fallback_filenames=${JSON.stringify(settings.fallbackFilenames)}`,
  ];
}

/**
 * The global file, when Codex will not read it itself: it reads only the one in its own CODEX_HOME,
 * and a Harness whose agents have a dedicated CODEX_HOME keeps the user's global file elsewhere.
 */
function globalFileCodexMisses(cascade: AgentsMdCascade | null, codexHome: string): string | null {
  const global = cascade?.files.find((file) => file.scope === 'global');
  if (cascade === null || global === undefined) return null;
  if (path.resolve(path.dirname(global.path)) === path.resolve(codexHome)) return null;
  return Buffer.from(cascade.text, 'utf8').subarray(0, global.included_bytes).toString('utf8');
}

function codexHomeOf(env: Record<string, string>): string {
  return env.CODEX_HOME ?? path.join(env.HOME ?? '', '.codex');
}

/**
 * Drives Codex through `codex app-server` (JSON-RPC over stdio): one process per turn, a thread
 * started or resumed, one `turn/start`. Approval policy `untrusted` makes Codex ask before every
 * command, and each request is answered by the command gate, so a forbidden command is refused
 * before it runs however it is disguised (`bash -c '…'`, `git -c x=y push`, `/bin/rm`).
 */
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
    const env = this.environment();
    const bin = await probeBinary(this.opts.cliPath ?? 'codex', ['--version'], env);
    const access = this.modelAccess(env);
    const creds = access.mode === 'gateway' || hasCodexLogin(codexHomeOf(env));
    const usable = bin.path !== null && bin.version !== null && creds;
    const reason =
      bin.problem ??
      (creds
        ? null
        : 'no OpenAI credentials: give Harness OPENAI_API_KEY, CODEX_API_KEY or agents.codex.api_key, or log in with codex');
    return {
      name: this.name,
      enabled: true,
      usable,
      reason: usable ? null : reason,
      version: bin.version,
      binary_path: bin.path,
      default_model: this.opts.defaultModel ?? null,
      command_gate: 'enforced',
      ...describeModelAccess(access),
    };
  }

  private modelAccess(env: Record<string, string>): ModelAccess {
    return codexModelAccess(codexHomeOf(env), this.opts.gateway);
  }

  startTurn(options: TurnOptions): AgentTurn {
    return runTurn(this.name, options, this.logger, (ctx) => this.run(ctx));
  }

  private environment(lease?: GatewayLease): Record<string, string> {
    const { codexHome, home } = this.opts;
    return buildAgentEnv(this.opts.baseEnv ?? process.env, {
      knobs: ['CODEX_HOME'],
      passthrough: this.opts.envPassthrough ?? [],
      set: {
        ...(codexHome === undefined ? {} : { CODEX_HOME: codexHome }),
        ...(home === undefined ? {} : { HOME: home }),
        ...this.opts.env,
        ...(lease === undefined ? {} : { [CODEX_GATEWAY_KEY_ENV]: lease.credential }),
      },
    });
  }

  private async run(ctx: TurnContext): Promise<void> {
    const access = this.modelAccess(this.environment());
    if (access.mode === 'direct') return this.runWith(ctx, null);
    // Codex retries a model API error answer without a notification: the gateway reports it.
    await withGatewayTurn(ctx, access, (lease) => this.runWith(ctx, lease), 'gateway');
  }

  private async runWith(ctx: TurnContext, lease: GatewayLease | null): Promise<void> {
    const { options } = ctx;
    const model = options.model ?? this.opts.defaultModel ?? null;
    // Codex's own sandbox cannot be used: a command it is asked to approve runs outside it
    // (measured with 0.169.0). Harness's bubblewrap around the whole CLI confines it instead.
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
    const skills = TurnSkillRun.prepare(ctx, 'skills-root');
    try {
      await this.runCli(ctx, lease, enforcement, model, skills);
    } finally {
      skills?.remove();
    }
  }

  private async runCli(
    ctx: TurnContext,
    lease: GatewayLease | null,
    enforcement: CliInvocation['enforcement'],
    model: string | null,
    skills: TurnSkillRun | null,
  ): Promise<void> {
    const { options } = ctx;
    const env = this.environment(lease ?? undefined);
    const codexHome = codexHomeOf(env);
    for (const dir of [codexHome, this.opts.home]) if (dir !== undefined) mkdirSync(dir, { recursive: true });
    const invocation: CliInvocation = {
      command: this.opts.cliPath ?? 'codex',
      args: codexArgs(options.cwd, this.opts, lease === null ? [] : codexGatewayArgs(lease)),
      env,
      stdin: 'pipe',
      enforcement,
      // Codex keeps its state in CODEX_HOME; the user's whole home stays read-only.
      stateDirs: [codexHome, ...(this.opts.home === undefined ? [] : [this.opts.home])],
      readOnlyDirs: skills === null ? [] : [skills.dir],
    };
    const developerInstructions = joinInstructions(
      globalFileCodexMisses(turnCascade(ctx, this.opts.agentsMd), codexHome),
      options.appendSystemPrompt,
    );
    const mapper = new CodexEventMapper(ctx, model);
    let connection: AppServerConnection | null = null;
    const approvals = new CodexApprovals(ctx, ({ threadId, turnId, itemId, command }) => {
      mapper.commandDeclined(itemId, command);
      // Never rejects: a failed interrupt is logged inside and the turn ends on the refusal anyway.
      void interruptOnRefusal(ctx, connection, { threadId, turnId });
    });
    const turnOver = new AbortController();
    let graceTimer: NodeJS.Timeout | undefined;

    const finish = (proc: Supervised): void => {
      if (graceTimer !== undefined) return;
      connection?.close('the turn is over');
      // Codex exits when its stdin closes; one that hangs on is killed after a grace period.
      proc.closeStdin();
      graceTimer = setTimeout(() => turnOver.abort(), this.opts.exitGraceMs ?? 5_000);
    };

    await runCliTurn(
      ctx,
      invocation,
      this.caps,
      {
        onLine: (line) => connection?.receive(line),
        onExit: (status, proc) => {
          clearTimeout(graceTimer);
          connection?.close(describeExit('codex', status));
          if (mapper.completed) return;
          const why = mapper.lastErrorMessage === null ? '' : `: ${mapper.lastErrorMessage}`;
          ctx.fail('process_failed', `${describeExit('codex', status)} before the turn completed${why}`, {
            stderr_tail: proc.stderrTail(),
          });
        },
      },
      turnOver.signal,
      (proc) => {
        const handle = (method: string, params: unknown): void => {
          try {
            this.onNotification(ctx, mapper, method, params);
          } catch (error) {
            ctx.emit({
              type: 'warning',
              message: `codex ${method} did not have the expected shape: ${describeError(error)}`,
            });
          }
          if (mapper.completed) finish(proc);
        };
        // The checks of commands Codex ran without asking; the turn is not over before they are,
        // so a refused one fails the turn even when Codex completes it in the same breath.
        let unaskedChecks = Promise.resolve();
        const conn = new AppServerConnection((line) => proc.writeLine(line), {
          notification: (method, params) => {
            if (method === 'turn/completed') void unaskedChecks.then(() => handle(method, params));
            else handle(method, params);
          },
          request: (method, params) => approvals.answer(method, params),
          malformed: (problem) =>
            ctx.emit({ type: 'warning', message: `ignored a line from codex: ${problem}` }),
        });
        connection = conn;
        mapper.onCommandFinished = (item) => {
          // A command that names a skill's per-run file is the model opening that skill.
          skills?.noticeMention(item.command ?? '');
          // Checked at once (a refusal interrupts the turn as soon as it is known); only the
          // turn's completion waits for every check.
          const check = this.checkUnasked(ctx, approvals, item);
          unaskedChecks = Promise.all([unaskedChecks, check]).then(() => undefined);
        };
        this.startSession(ctx, conn, model, { developerInstructions, skills }).catch((error: unknown) => {
          if (mapper.completed || ctx.signal.aborted) return;
          ctx.fail('protocol_error', describeError(error), { stderr_tail: proc.stderrTail() });
          finish(proc);
        });
      },
    );
  }

  /** initialize → initialized → thread/start (or thread/resume) → turn/start. */
  private async startSession(
    ctx: TurnContext,
    conn: AppServerConnection,
    model: string | null,
    {
      developerInstructions,
      skills,
    }: { developerInstructions: string | undefined; skills: TurnSkillRun | null },
  ): Promise<void> {
    const { options } = ctx;
    await conn.request('initialize', {
      clientInfo: { name: 'harness', title: 'Harness', version: harnessVersion },
      capabilities: {
        experimentalApi: false,
        requestAttestation: false,
        optOutNotificationMethods: UNUSED_NOTIFICATIONS,
      },
    });
    conn.notify('initialized');
    if (skills !== null) await useRunSkills(ctx, conn, skills);
    const settings = {
      cwd: options.cwd,
      approvalPolicy: 'untrusted',
      // What the model is told about its sandbox; bubblewrap enforces it (see run()).
      sandbox: options.sandbox.mode,
      ...(model === null ? {} : { model }),
      ...(developerInstructions === undefined ? {} : { developerInstructions }),
    };
    const thread = ThreadResponseSchema.parse(
      options.resumeSessionId === undefined
        ? await conn.request('thread/start', settings)
        : await conn.request('thread/resume', { ...settings, threadId: options.resumeSessionId }),
    ).thread;
    ctx.sessionId = thread.id;
    ctx.emit({ type: 'session', session_id: thread.id });
    await conn.request('turn/start', {
      threadId: thread.id,
      input: [{ type: 'text', text: options.prompt, text_elements: [] }, ...skillInputs(skills)],
    });
    skills?.announceActivated();
  }

  private onNotification(ctx: TurnContext, mapper: CodexEventMapper, method: string, params: unknown): void {
    if (method === 'turn/completed' && refusalOf(ctx) !== null) {
      // The turn ended (interrupted) because of the refusal: it did not do what it was asked to.
      ctx.fail('policy_blocked', refusalMessage(refusalOf(ctx) as Refusal));
    }
    mapper.handle(method, params);
  }

  /**
   * Defence in depth: a command that ran without Codex asking first (an `allow` rule in the user's
   * own Codex rules, or a future Codex that trusts more) is checked once it is over, and a refusal
   * ends the turn at once.
   */
  private async checkUnasked(ctx: TurnContext, approvals: CodexApprovals, item: ThreadItem): Promise<void> {
    if (approvals.asked.has(item.id) || item.status === 'declined') return;
    const command = unwrapShell(item.command ?? '');
    const verdict = await consultCommandGate(ctx, command);
    if (verdict.decision === 'allow') return;
    ctx.stop({
      code: 'policy_blocked',
      message: `codex ran \`${command}\` without asking first, and the command policy refuses it${
        verdict.reason === undefined ? '' : ` (${verdict.reason})`
      }; codex was stopped`,
    });
  }
}

/** How long Codex gets to acknowledge `turn/interrupt` before it is killed regardless. */
const INTERRUPT_ACK_MS = 2_000;

/**
 * A refused command ends Codex's turn: `turn/interrupt` (so Codex stops the turn itself and keeps
 * a consistent thread to resume), then the process is stopped. Until then every further approval
 * request is declined by the command gate, so nothing queued after the refusal runs meanwhile.
 */
async function interruptOnRefusal(
  ctx: TurnContext,
  connection: AppServerConnection | null,
  turn: { threadId: string; turnId: string },
): Promise<void> {
  if (ctx.signal.aborted) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, INTERRUPT_ACK_MS);
  });
  const interrupted = (connection?.request('turn/interrupt', turn) ?? Promise.resolve()).catch(
    (error: unknown) => ctx.logger.debug({ err: describeError(error) }, 'codex did not take the interrupt'),
  );
  await Promise.race([interrupted, timeout]);
  clearTimeout(timer);
  endTurnOnRefusal(ctx);
}
