import path from 'node:path';
import {
  ErrorCodes,
  HarnessError,
  agentNames,
  silentLogger,
  type Logger,
  type ProcessRunner,
} from '../core/index.js';
import {
  assertSandboxSupported,
  buildAgentEnv,
  sandboxSpec,
  type SandboxCapabilities,
  type SandboxMode,
  type SandboxSpec,
} from '../sandbox/index.js';
import { AnthropicApiAdapter } from './anthropic-api/adapter.js';
import { ClaudeAdapter } from './claude/adapter.js';
import { CodexAdapter } from './codex/adapter.js';
import { sharedSandboxProbe } from './probe.js';
import { type AgentAdapter, type AgentAvailability, type AgentName, type TurnLimits } from './contract.js';
import type { ModelAccess, ModelGateway, ModelUpstream } from './gateway/index.js';
import type { AgentsMdSettings } from '../context/index.js';

/**
 * The part of `[agents]` the registry reads. Structural on purpose: the config module owns the
 * schema; anything with these fields will do.
 */
export interface AgentsConfigLike {
  default_agent: 'auto' | AgentName;
  /** An array (complex and critical work only), or an array per complexity. */
  complexity_preferred_agents: string[] | Partial<Record<Complexity, string[] | undefined>>;
  /** Per complexity, the model each agent is asked to use. */
  complexity_preferred_models?: Partial<
    Record<Complexity, Partial<Record<AgentName, string | undefined>> | undefined>
  >;
  sandbox_mode: SandboxMode;
  stall_timeout_secs: number;
  turn_timeout_secs: number;
  max_cost_usd_per_turn?: number | undefined;
  env_passthrough?: string[] | undefined;
  claude: {
    enabled: boolean;
    cli_path: string;
    default_model?: string | undefined;
    max_turns?: number | undefined;
    extra_args: string[];
    /** The Anthropic API Claude Code's requests go to through the gateway. */
    base_url?: string | undefined;
  };
  codex: {
    enabled: boolean;
    cli_path: string;
    default_model?: string | undefined;
    extra_args: string[];
    /** The OpenAI API Codex's requests go to through the gateway, and the key Harness adds. */
    base_url?: string | undefined;
    api_key?: string | undefined;
  };
  anthropic_api: {
    enabled: boolean;
    base_url?: string | undefined;
    default_model: string;
    max_tokens: number;
    api_key?: string | undefined;
  };
}

/** Per-runtime extras the config file does not carry (hermetic homes, extra env, test hooks). */
export interface RegistryOverrides {
  claude?: { env?: Record<string, string>; home?: string };
  codex?: { env?: Record<string, string>; home?: string; codexHome?: string };
  anthropic_api?: { sessionDir?: string; maxRetries?: number };
  baseEnv?: Record<string, string | undefined>;
  /** The running model gateway; without it every agent uses its own login. */
  gateway?: ModelGateway;
  /** What the host can sandbox with (bubblewrap); probed once per process by default. */
  probeSandbox?: () => Promise<SandboxCapabilities>;
  /** Harness's own config file and data directory: no sandboxed agent may read them. */
  hiddenPaths?: string[];
  /** The process's one runner: the API adapter's command tool runs agent commands through it. */
  processRunner?: ProcessRunner;
  /** The AGENTS.md cascade every agent's turns are given (`[agents_md]`); none when absent. */
  agentsMd?: AgentsMdSettings;
}

export type Complexity = 'simple' | 'medium' | 'complex' | 'critical';

/** The agent and model chosen for a piece of work, and why, in words. */
export interface AgentRoute {
  agent: AgentName;
  model: string | null;
  reason: string;
}

/** The preferred agents for a complexity: the array form applies to complex and critical work. */
function preferredAgentsFor(
  preferred: AgentsConfigLike['complexity_preferred_agents'],
  complexity: Complexity | null,
): { key: string; list: string[] } {
  if (complexity === null) return { key: 'complexity_preferred_agents', list: [] };
  if (Array.isArray(preferred)) {
    const hard = complexity === 'complex' || complexity === 'critical';
    return { key: 'complexity_preferred_agents', list: hard ? preferred : [] };
  }
  return { key: `complexity_preferred_agents.${complexity}`, list: preferred[complexity] ?? [] };
}

export function createAdapters(
  config: AgentsConfigLike,
  logger: Logger,
  overrides: RegistryOverrides = {},
): AgentAdapter[] {
  const baseEnv = overrides.baseEnv ?? process.env;
  const access = gatewayAccess(config, overrides.gateway);
  const envPassthrough = config.env_passthrough ?? [];
  const agentsMd = overrides.agentsMd === undefined ? {} : { agentsMd: overrides.agentsMd };
  const adapters: AgentAdapter[] = [];
  if (config.claude.enabled) {
    const c = config.claude;
    adapters.push(
      new ClaudeAdapter({
        cliPath: c.cli_path,
        defaultModel: c.default_model ?? null,
        maxTurns: c.max_turns,
        extraArgs: c.extra_args,
        baseEnv,
        logger,
        envPassthrough,
        ...agentsMd,
        ...(access.claude === undefined ? {} : { modelAccess: access.claude }),
        ...overrides.claude,
      }),
    );
  }
  if (config.codex.enabled) {
    const c = config.codex;
    adapters.push(
      new CodexAdapter({
        cliPath: c.cli_path,
        defaultModel: c.default_model ?? null,
        extraArgs: c.extra_args,
        baseEnv,
        logger,
        envPassthrough,
        ...agentsMd,
        ...(access.codex === undefined ? {} : { gateway: access.codex }),
        ...overrides.codex,
      }),
    );
  }
  if (config.anthropic_api.enabled) {
    const c = config.anthropic_api;
    adapters.push(
      new AnthropicApiAdapter({
        baseUrl: c.base_url,
        apiKey: c.api_key,
        defaultModel: c.default_model,
        maxTokens: c.max_tokens,
        baseEnv,
        logger,
        envPassthrough,
        ...agentsMd,
        ...(overrides.processRunner === undefined ? {} : { processRunner: overrides.processRunner }),
        ...(access.anthropic_api === undefined ? {} : { modelAccess: access.anthropic_api }),
        ...overrides.anthropic_api,
      }),
    );
  }
  return adapters;
}

type GatewayAccess = Extract<ModelAccess, { mode: 'gateway' }>;

/**
 * Which agents reach their model through the gateway: each one for which Harness holds a key. The
 * key goes to the gateway's upstream for the turn, never into an agent's environment.
 */
function gatewayAccess(
  config: AgentsConfigLike,
  gateway: ModelGateway | undefined,
): Partial<Record<AgentName, GatewayAccess>> {
  if (gateway === undefined) return {};
  const anthropicKey = config.anthropic_api.api_key;
  const openaiKey = config.codex.api_key;
  const via = (upstream: ModelUpstream, reason: string): GatewayAccess => ({
    mode: 'gateway',
    gateway,
    upstream,
    reason,
  });
  const held = (what: string, url: string) =>
    `Harness holds the ${what} key; the agent gets a per-turn credential for the gateway at ${gateway.origin}, which forwards to ${url}`;
  const claudeUrl = config.claude.base_url ?? DEFAULT_ANTHROPIC_URL;
  const apiUrl = config.anthropic_api.base_url ?? DEFAULT_ANTHROPIC_URL;
  const codexUrl = config.codex.base_url ?? DEFAULT_OPENAI_URL;
  return {
    ...(anthropicKey
      ? {
          claude: via(
            { provider: 'anthropic', url: claudeUrl, apiKey: anthropicKey },
            held('Anthropic', claudeUrl),
          ),
          anthropic_api: via(
            { provider: 'anthropic', url: apiUrl, apiKey: anthropicKey },
            held('Anthropic', apiUrl),
          ),
        }
      : {}),
    ...(openaiKey
      ? { codex: via({ provider: 'openai', url: codexUrl, apiKey: openaiKey }, held('OpenAI', codexUrl)) }
      : {}),
  };
}

export const DEFAULT_ANTHROPIC_URL = 'https://api.anthropic.com';
export const DEFAULT_OPENAI_URL = 'https://api.openai.com/v1';

/**
 * Agents from config, their availability, and the choice of agent for a turn. Availability is
 * probed once and cached; `refresh()` probes again (after installing a CLI, say).
 */
export class AgentRegistry {
  private readonly adapters: Map<AgentName, AgentAdapter>;
  private probed: Promise<AgentAvailability[]> | null = null;

  private readonly gateway: ModelGateway | null;
  private readonly baseEnv: Record<string, string | undefined>;
  private readonly probeSandbox: () => Promise<SandboxCapabilities>;
  private readonly hiddenPaths: string[];
  /** What the agents are given of AGENTS.md; `context/preview` shows the same. Null when unset. */
  readonly agentsMd: AgentsMdSettings | null;

  constructor(
    private readonly config: AgentsConfigLike,
    adapters: AgentAdapter[],
    private readonly logger: Logger = silentLogger,
    overrides: Pick<
      RegistryOverrides,
      'gateway' | 'baseEnv' | 'probeSandbox' | 'hiddenPaths' | 'agentsMd'
    > = {},
  ) {
    this.agentsMd = overrides.agentsMd ?? null;
    this.adapters = new Map(adapters.map((a) => [a.name, a]));
    this.gateway = overrides.gateway ?? null;
    this.baseEnv = overrides.baseEnv ?? process.env;
    this.probeSandbox = overrides.probeSandbox ?? sharedSandboxProbe;
    this.hiddenPaths = (overrides.hiddenPaths ?? []).map((p) => path.resolve(p));
  }

  /**
   * The environment for commands Harness runs on an agent's work (validation: the worktree's own
   * test scripts, which the agent may have written): the allowlist and `agents.env_passthrough`,
   * never Harness's secrets.
   */
  commandEnvironment(): Record<string, string> {
    return buildAgentEnv(this.baseEnv, { passthrough: this.config.env_passthrough ?? [] });
  }

  /** The model gateway the agents use, if one runs; it stops with `close()`. */
  get modelGateway(): ModelGateway | null {
    return this.gateway;
  }

  async close(): Promise<void> {
    await this.gateway?.close();
  }

  static fromConfig(
    config: AgentsConfigLike,
    logger: Logger = silentLogger,
    overrides: RegistryOverrides = {},
  ): AgentRegistry {
    return new AgentRegistry(config, createAdapters(config, logger, overrides), logger, overrides);
  }

  refresh(): void {
    this.probed = null;
  }

  /** Every known agent, in a stable order, with whether it is usable and why not (`agent/list`). */
  async list(): Promise<AgentAvailability[]> {
    this.probed ??= Promise.all(
      agentNames.map(async (name): Promise<AgentAvailability> => {
        const adapter = this.adapters.get(name);
        if (adapter === undefined) return disabled(name);
        try {
          return await adapter.probe();
        } catch (error) {
          this.logger.warn({ agent: name, err: String(error) }, 'agent probe failed');
          return { ...disabled(name), enabled: true, reason: `probe failed: ${String(error)}` };
        }
      }),
    );
    return this.probed;
  }

  get(name: AgentName): AgentAdapter {
    const adapter = this.adapters.get(name);
    if (adapter === undefined) throw new HarnessError(ErrorCodes.notFound, `agent ${name} is not enabled`);
    return adapter;
  }

  /**
   * `default_agent` when it names a usable agent; with `auto`, the work's complexity decides
   * (`route`), and without one the first usable agent.
   */
  async select(request: { agent?: AgentName; complexity?: Complexity } = {}): Promise<AgentAdapter> {
    const { agent } = await this.route({ ...request, complexity: request.complexity ?? null });
    return this.get(agent);
  }

  /**
   * Who does a piece of work and with which model, and why. An agent asked for (the request's, else
   * a `default_agent` that is not `auto`) must be usable, or the request is refused with what is
   * wrong; with `auto`, the first usable agent of `complexity_preferred_agents` for the
   * complexity, else the first usable agent. The model is `complexity_preferred_models`' for that
   * complexity and agent, else the agent's default.
   */
  async route(request: {
    agent?: AgentName;
    /** Where the asked-for agent came from, for the reason (`the task`, `project x's default_agent`). */
    askedBy?: string;
    complexity: Complexity | null;
  }): Promise<AgentRoute> {
    const list = await this.list();
    const usable = list.filter((a) => a.usable).map((a) => a.name);
    const fromConfig = this.config.default_agent === 'auto' ? undefined : this.config.default_agent;
    const explicit = request.agent ?? fromConfig;
    let agent: AgentName;
    let why: string;
    if (explicit !== undefined) {
      const info = list.find((a) => a.name === explicit);
      if (info?.usable !== true) {
        throw new HarnessError(
          ErrorCodes.unavailable,
          `agent ${explicit} is not usable: ${info?.reason ?? 'unknown agent'} ; \`harness doctor\` says how to fix it`,
          { data: { agent: explicit } },
        );
      }
      agent = explicit;
      why = `${explicit} as ${request.agent === undefined ? 'agents.default_agent' : (request.askedBy ?? 'asked')} names it`;
    } else {
      const preferred = preferredAgentsFor(this.config.complexity_preferred_agents, request.complexity);
      const first = preferred.list.find((n): n is AgentName => usable.includes(n as AgentName));
      const choice = first ?? usable[0];
      if (choice === undefined) {
        const all = list.map((a) => `${a.name}: ${a.reason ?? 'usable'}`).join('; ');
        throw new HarnessError(ErrorCodes.unavailable, `no agent is usable (${all})`);
      }
      agent = choice;
      why =
        first !== undefined
          ? `${choice}: the first usable of ${preferred.key} [${preferred.list.join(', ')}]`
          : preferred.list.length > 0
            ? `${choice}: the first usable agent, as none of ${preferred.key} [${preferred.list.join(', ')}] is`
            : `${choice}: the first usable agent (default_agent = "auto")`;
    }
    const configured =
      request.complexity === null
        ? undefined
        : this.config.complexity_preferred_models?.[request.complexity]?.[agent];
    const model = configured ?? list.find((a) => a.name === agent)?.default_model ?? null;
    const modelWhy =
      configured !== undefined
        ? `model ${configured} from complexity_preferred_models.${request.complexity}.${agent}`
        : model === null
          ? "the agent's own default model"
          : `its default model ${model}`;
    return { agent, model, reason: `${why}; ${modelWhy}` };
  }

  defaultLimits(): TurnLimits {
    const c = this.config;
    return {
      stallTimeoutMs: c.stall_timeout_secs * 1000,
      turnTimeoutMs: c.turn_timeout_secs * 1000,
      ...(c.max_cost_usd_per_turn === undefined ? {} : { maxCostUsd: c.max_cost_usd_per_turn }),
    };
  }

  /**
   * Refuses, before any turn record or worktree exists, a sandbox mode this host cannot enforce
   * (`agents.sandbox_mode` by default), saying how to fix it. Never downgraded.
   */
  async assertSandboxUsable(mode: SandboxMode = this.config.sandbox_mode): Promise<void> {
    if (mode === 'danger-full-access') return;
    assertSandboxSupported(mode, await this.probeSandbox());
  }

  /** The sandbox for a turn in `workspace`: `agents.sandbox_mode` unless the turn asks for another. */
  sandboxFor(workspace: string, mode: SandboxMode = this.config.sandbox_mode): SandboxSpec {
    return sandboxSpec({ mode, workspace: path.resolve(workspace), hidden_paths: this.hiddenPaths });
  }
}

function disabled(name: AgentName): AgentAvailability {
  return {
    name,
    enabled: false,
    usable: false,
    reason: 'disabled in config',
    version: null,
    binary_path: null,
    default_model: null,
    command_gate: 'enforced',
    model_access: null,
    model_access_reason: null,
  };
}
