import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Anthropic, { APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type { Message, MessageParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import {
  createProcessRunner,
  defaultDataDir,
  describeError,
  newId,
  silentLogger,
  type Logger,
  type ProcessRunner,
} from '../../core/index.js';
import { assertSandboxSupported, buildAgentEnv, type SandboxCapabilities } from '../../sandbox/index.js';
import type { AgentAdapter, AgentAvailability, AgentTurn, TurnErrorCode, TurnOptions } from '../contract.js';
import { endTurnOnRefusal } from '../command-gate.js';
import { priceUsage } from '../pricing.js';
import { sharedSandboxProbe } from '../probe.js';
import { runTurn, type TurnContext } from '../turn.js';
import { describeModelAccess, withGatewayTurn, type ModelAccess } from '../gateway/index.js';
import { executeTool, TOOL_DEFINITIONS, type ToolRunner } from './tools.js';
import type { AgentsMdSettings } from '../../context/index.js';
import { joinInstructions, turnCascade } from '../instructions.js';
import { TurnSkillRun } from '../skills.js';
import { OPEN_SKILL, openSkill, openSkillTool, skillsPrompt } from './skill-tool.js';

export interface AnthropicApiAdapterOptions {
  baseUrl?: string;
  apiKey?: string;
  defaultModel?: string;
  maxTokens?: number;
  /** SDK retries on 429/5xx before a turn fails; 0 in tests. */
  maxRetries?: number;
  /** Where transcripts are kept so that a turn can be resumed. */
  sessionDir?: string;
  baseEnv?: Record<string, string | undefined>;
  probeSandbox?: () => Promise<SandboxCapabilities>;
  logger?: Logger;
  /** Through Harness's model gateway (the SDK never holds the real key), or straight to `baseUrl`. */
  modelAccess?: ModelAccess;
  /** Variables of Harness's environment that commands may see (`agents.env_passthrough`). */
  envPassthrough?: readonly string[];
  /** Runs the model's commands; a real runner by default. */
  processRunner?: ProcessRunner;
  /** The AGENTS.md cascade to give each turn, in the system prompt; none when absent. */
  agentsMd?: AgentsMdSettings;
}

/** What one turn's tool loop works with. */
interface LoopRun {
  model: string;
  /** SYSTEM_PROMPT, the AGENTS.md cascade, the skills' catalogue and the caller's instructions. */
  system: string;
  messages: MessageParam[];
  caps: SandboxCapabilities;
  /** The turn's skills (catalogue, activated bodies, the open_skill tool); null without. */
  skills: TurnSkillRun | null;
}

/** Where the SDK client sends a turn's requests, and with which key. */
interface ClientTarget {
  baseURL: string | null;
  apiKey: string;
}

const SYSTEM_PROMPT =
  'You are a coding agent working in a git worktree. Use the tools to inspect and change files and to run ' +
  'commands; paths are relative to the worktree. Commands run in a sandbox and may be refused by policy: ' +
  'if one is refused, do not try to get around the refusal. When the task is done, reply with a short summary.';
const DEFAULT_MAX_TURNS = 50;

function classifyApiError(error: APIError): TurnErrorCode {
  if (error.status === 429) return 'rate_limited';
  if (error.status === 529 || /overloaded/i.test(error.message)) return 'overloaded';
  return 'model_error';
}

/** The Anthropic Messages API with Harness's own tool loop, so it can really edit a worktree. */
export class AnthropicApiAdapter implements AgentAdapter {
  readonly name = 'anthropic_api' as const;
  private readonly opts: AnthropicApiAdapterOptions;
  private readonly logger: Logger;
  private readonly caps: () => Promise<SandboxCapabilities>;
  private readonly processes: ProcessRunner;

  constructor(options: AnthropicApiAdapterOptions = {}) {
    this.opts = options;
    this.processes = options.processRunner ?? createProcessRunner();
    this.logger = (options.logger ?? silentLogger).child({ agent: 'anthropic_api' });
    this.caps = options.probeSandbox ?? sharedSandboxProbe;
  }

  private apiKey(): string | undefined {
    return this.opts.apiKey ?? (this.opts.baseEnv ?? process.env).ANTHROPIC_API_KEY;
  }

  probe(): Promise<AgentAvailability> {
    const key = this.apiKey();
    return Promise.resolve({
      name: this.name,
      enabled: true,
      usable: key !== undefined && key !== '',
      reason: key ? null : 'no API key: set agents.anthropic_api.api_key or ANTHROPIC_API_KEY',
      version: null,
      binary_path: null,
      default_model: this.opts.defaultModel ?? null,
      command_gate: 'enforced',
      ...describeModelAccess(this.modelAccess()),
    });
  }

  private modelAccess(): ModelAccess {
    if (this.opts.modelAccess) return this.opts.modelAccess;
    const reason = this.apiKey()
      ? 'no model gateway runs in this process'
      : 'Harness holds no Anthropic API key';
    return { mode: 'direct', reason };
  }

  startTurn(options: TurnOptions): AgentTurn {
    return runTurn(this.name, options, this.logger, (ctx) => this.run(ctx));
  }

  private sessionFile(id: string): string {
    const dir = this.opts.sessionDir ?? path.join(defaultDataDir(), 'agents', 'anthropic_api');
    if (!/^[\w-]+$/.test(id)) throw new Error(`invalid session id ${id}`);
    return path.join(dir, `${id}.json`);
  }

  private async loadTranscript(id: string): Promise<MessageParam[]> {
    const raw = JSON.parse(await readFile(this.sessionFile(id), 'utf8')) as { messages: MessageParam[] };
    return raw.messages;
  }

  private async saveTranscript(id: string, messages: MessageParam[]): Promise<void> {
    const file = this.sessionFile(id);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ messages }));
  }

  private async run(ctx: TurnContext): Promise<void> {
    const { options } = ctx;
    const model = options.model ?? this.opts.defaultModel ?? 'claude-sonnet-4-20250514';
    const caps = await this.caps();
    ctx.emit({
      type: 'turn_started',
      model,
      session_id: options.resumeSessionId ?? null,
      sandbox: {
        mode: options.sandbox.mode,
        enforced_by: options.sandbox.mode === 'danger-full-access' ? 'none' : 'bwrap',
        network:
          options.sandbox.network || options.sandbox.mode === 'danger-full-access'
            ? 'shared'
            : 'denied to commands',
      },
    });
    try {
      assertSandboxSupported(options.sandbox.mode, caps);
    } catch (error) {
      ctx.fail('sandbox_unavailable', describeError(error), { retryable: false });
      return;
    }
    const sessionId = options.resumeSessionId ?? newId('sess');
    const messages = options.resumeSessionId === undefined ? [] : await this.loadTranscript(sessionId);
    ctx.sessionId = sessionId;
    ctx.emit({ type: 'session', session_id: sessionId });
    messages.push({ role: 'user', content: options.prompt });
    const skills = TurnSkillRun.prepare(ctx, 'none');
    skills?.announceActivated();
    // The API has no AGENTS.md of its own: the whole cascade goes into the system prompt.
    const cascade = turnCascade(ctx, this.opts.agentsMd);
    const system =
      joinInstructions(
        SYSTEM_PROMPT,
        cascade?.text,
        skills === null ? undefined : skillsPrompt(skills),
        options.appendSystemPrompt,
      ) ?? SYSTEM_PROMPT;
    const run: LoopRun = { model, system, messages, caps, skills };
    const access = this.modelAccess();
    if (access.mode === 'direct') {
      await this.loop(ctx, run, { baseURL: this.opts.baseUrl ?? null, apiKey: this.apiKey() ?? '' });
    } else {
      // The SDK retries a model API error by itself, silently: the gateway reports each one.
      await withGatewayTurn(
        ctx,
        access,
        (lease) => this.loop(ctx, run, { baseURL: lease.baseUrl, apiKey: lease.credential }),
        'gateway',
      );
    }
    await this.saveTranscript(sessionId, messages);
  }

  private async loop(ctx: TurnContext, run: LoopRun, target: ClientTarget): Promise<void> {
    const { messages, caps, skills } = run;
    const client = new Anthropic({ ...target, maxRetries: this.opts.maxRetries ?? 2 });
    const runner: ToolRunner = {
      caps,
      // Commands get the allowlisted environment: no key, not even the per-turn credential.
      env: buildAgentEnv(this.opts.baseEnv ?? process.env, { passthrough: this.opts.envPassthrough ?? [] }),
      commandTimeoutMs: Math.min(ctx.options.limits.stallTimeoutMs, ctx.options.limits.turnTimeoutMs),
      // A refused command ends the turn: the loop stops before the next tool and the next model call.
      onRefusal: () => endTurnOnRefusal(ctx),
      processes: this.processes,
    };
    const maxTurns = ctx.options.limits.maxTurns ?? DEFAULT_MAX_TURNS;
    for (let turn = 1; turn <= maxTurns; turn += 1) {
      const message = await this.request(ctx, client, run);
      if (message === null) return;
      messages.push({ role: 'assistant', content: message.content });
      const results = await this.runTools(ctx, message, runner, skills);
      // Every tool_use gets its tool_result, run or not, so a stopped turn can still be resumed.
      if (results.length > 0) messages.push({ role: 'user', content: results });
      if (ctx.signal.aborted) return;
      if (results.length === 0) {
        ctx.succeed(message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n'), turn);
        return;
      }
    }
    ctx.fail('max_turns', `the model did not finish within ${maxTurns} turns`);
  }

  /** Runs the message's tool calls in order; once the turn is stopped, the rest are not run. */
  private async runTools(
    ctx: TurnContext,
    message: Message,
    runner: ToolRunner,
    skills: TurnSkillRun | null,
  ): Promise<ToolResultBlockParam[]> {
    const results: ToolResultBlockParam[] = [];
    for (const block of message.content) {
      if (block.type === 'text') ctx.emit({ type: 'text', text: block.text });
      if (block.type !== 'tool_use') continue;
      ctx.emit({ type: 'tool_call', call_id: block.id, name: block.name, input: block.input });
      const outcome = ctx.signal.aborted
        ? { output: 'Not run: the turn was stopped before this call.', isError: true }
        : skills !== null && block.name === OPEN_SKILL
          ? openSkill(skills, block.input)
          : await executeTool(ctx, block.id, block.name, block.input, runner);
      ctx.emit({ type: 'tool_result', call_id: block.id, is_error: outcome.isError, output: outcome.output });
      results.push({
        type: 'tool_result',
        tool_use_id: block.id,
        content: outcome.output,
        is_error: outcome.isError,
      });
    }
    return results;
  }

  /** One streamed model call, under the stall watchdog; null when the turn must end. */
  private async request(ctx: TurnContext, client: Anthropic, run: LoopRun): Promise<Message | null> {
    const { model, system, messages, skills } = run;
    const stallMs = ctx.options.limits.stallTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => ctx.stop({ code: 'stalled', message: `the model sent nothing for ${stallMs} ms` }),
        stallMs,
      );
    };
    arm();
    try {
      const stream = client.messages.stream(
        {
          model,
          max_tokens: this.opts.maxTokens ?? 4096,
          system,
          tools: skills === null ? TOOL_DEFINITIONS : [...TOOL_DEFINITIONS, openSkillTool(skills)],
          messages,
        },
        { signal: ctx.signal },
      );
      stream.on('streamEvent', arm);
      const message = await stream.finalMessage();
      const u = message.usage;
      ctx.recordUsage(
        priceUsage(model, {
          input_tokens: u.input_tokens,
          output_tokens: u.output_tokens,
          cache_read_tokens: u.cache_read_input_tokens ?? 0,
          cache_write_tokens: u.cache_creation_input_tokens ?? 0,
        }),
      );
      return ctx.signal.aborted ? null : message;
    } catch (error) {
      if (error instanceof APIUserAbortError || ctx.signal.aborted) return null;
      if (error instanceof APIError && error.status !== undefined) {
        ctx.fail(classifyApiError(error), `model API error ${error.status}: ${error.message}`, {
          http_status: error.status,
        });
      } else {
        ctx.fail('model_error', `model request failed: ${describeError(error)}`);
      }
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
