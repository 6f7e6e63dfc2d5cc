import { z } from 'zod';
import {
  agentChoice,
  agentChoices,
  expecting,
  agentName,
  bool,
  commandField,
  databaseUrl,
  hostPort,
  httpUrl,
  int,
  list,
  num,
  oneOf,
  deliverModes,
  guardSeverities,
  passthroughEnvName,
  pathField,
  section,
  skillNames,
  secret,
  stringList,
  table,
  text,
  type PathContext,
  webOrigin,
} from './fields.js';
import { logFormats } from '../logger.js';

/**
 * The server config schema (`config.toml`). Built per source because paths resolve against the
 * file's own directory and the data-dir default depends on the environment; the shape is the same.
 */

export interface SchemaContext extends PathContext {
  /** `server.data_dir` when the file does not set it. */
  defaultDataDir: string;
  /** `server.project_root` when the file does not set it (the working directory). */
  defaultProjectRoot: string;
}

export const transports = ['stdio', 'http', 'ws'] as const;
export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export const sandboxModes = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const otelExporters = ['disabled', 'otlp-http', 'otlp-grpc'] as const;

/** Config keys whose values are credentials: masked on display, never echoed in errors. */
export const secretKeyPaths = [
  'server.api_token',
  'server.github_webhook_secret',
  'agents.anthropic_api.api_key',
  'agents.codex.api_key',
  'github.token',
] as const;

function serverSection(ctx: SchemaContext) {
  return section({
    transport: oneOf(transports).default('stdio'),
    http_addr: hostPort().default('127.0.0.1:9800'),
    data_dir: pathField(ctx).default(ctx.defaultDataDir),
    project_root: pathField(ctx).default(ctx.defaultProjectRoot),
    api_token: secret(),
    github_webhook_secret: secret(),
    max_body_bytes: int(1).default(1_048_576),
    ws_heartbeat_interval_secs: int(1).default(30),
    shutdown_timeout_secs: int(0).default(10),
    allowed_project_roots: list(pathField(ctx), 'an array of paths').default([]),
    allowed_origins: list(webOrigin(), 'an array of origins').default([]),
    log_level: oneOf(logLevels).default('info'),
    log_format: oneOf(logFormats).default('auto'),
    log_file: pathField(ctx).optional(),
  });
}

function agentsSection(ctx: SchemaContext) {
  return section({
    default_agent: agentChoice().default('auto'),
    // An array (for complex and critical work), or a table of arrays per complexity; first usable wins.
    complexity_preferred_agents: preferredAgents().default([]),
    // Per complexity, the model each agent is asked to use: [agents.complexity_preferred_models.complex].
    complexity_preferred_models: table(
      Object.fromEntries(complexityLevels.map((c) => [c, agentModels().optional()])) as Record<
        (typeof complexityLevels)[number],
        z.ZodOptional<ReturnType<typeof agentModels>>
      >,
      'a table of complexities (simple, medium, complex, critical)',
    ).default({}),
    // Secure by default: an agent writes its worktree and nothing else unless the operator opts out.
    sandbox_mode: oneOf(sandboxModes).default('workspace-write'),
    stall_timeout_secs: int(1).default(300),
    turn_timeout_secs: int(1).default(3600),
    max_cost_usd_per_turn: num({ exclusiveMin: 0 }).optional(),
    env_passthrough: list(passthroughEnvName(), 'an array of environment variable names').default([]),
    claude: section({
      enabled: bool().default(true),
      cli_path: commandField(ctx).default('claude'),
      default_model: text().default('sonnet'),
      max_turns: int(1).optional(),
      extra_args: stringList().default([]),
      base_url: httpUrl().optional(), // else ANTHROPIC_BASE_URL; where the gateway sends Claude Code
    }),
    codex: section({
      enabled: bool().default(true),
      cli_path: commandField(ctx).default('codex'),
      default_model: text().optional(),
      extra_args: stringList().default([]),
      base_url: httpUrl().optional(), // else OPENAI_BASE_URL; where the gateway sends Codex
      api_key: secret(), // else OPENAI_API_KEY, else CODEX_API_KEY
    }),
    anthropic_api: section({
      enabled: bool().default(true),
      // Else ANTHROPIC_BASE_URL, else https://api.anthropic.com (folded in at load time, see env.ts).
      base_url: httpUrl().optional(),
      default_model: text().default('claude-sonnet-4-20250514'),
      max_tokens: int(1).default(4096),
      api_key: secret(),
    }),
    review: section({
      enabled: bool().default(true),
      reviewer_agent: agentChoice().default('auto'),
      max_rounds: int(1, 20).default(3),
      // A second reviewer of another provider who challenges the first (review/): "none" keeps one reviewer.
      challenger_agent: oneOf(['none', ...agentChoices]).default('none'),
      challenge_rounds: int(2, 10).default(3),
      min_confidence: num({ min: 0 }).max(1, expecting('a number from 0 to 1')).default(0),
    }),
  });
}

function gcSection() {
  return section({
    max_drafts_per_run: int(0).default(5),
    budget_per_signal_usd: num({ min: 0 }).default(0.5),
    total_budget_usd: num({ min: 0 }).default(5.0),
    draft_ttl_hours: int(1).default(72),
    // GC drafting and adoption (quality/gc): the spend window, the scheduler's task trigger,
    // who drafts, and what adoption may do on its own.
    budget_window_hours: int(1).default(24),
    run_after_tasks: int(0).default(10),
    agent: agentChoice().default('auto'),
    auto_pr: bool().default(false),
    auto_adopt: oneOf(['off', 'rules-only']).default('off'),
    signal_thresholds: section({
      repeated_warn_min: int(1).default(10),
      chronic_block_min: int(1).default(5),
      hot_file_edits_min: int(1).default(20),
      slow_op_threshold_ms: int(1).default(5000),
      slow_op_count_min: int(1).default(10),
      escalation_ratio: num({ exclusiveMin: 1 }).default(1.5),
      violation_min: int(1).default(5),
      // Detectors of our own pipeline and of GitHub webhooks (quality/signals).
      task_failure_min: int(1).default(3),
      policy_denial_min: int(1).default(5),
      validation_failure_min: int(1).default(3),
      review_finding_min: int(1).default(3),
      ci_failure_min: int(1).default(3),
      changes_requested_min: int(1).default(3),
    }),
  });
}

export const projectNamePattern = /^[A-Za-z0-9._-]+$/;
export const projectNameExpected = 'a project name of letters, digits, ".", "_" or "-" (not "default")';

export function projectName() {
  return text(projectNameExpected).refine(isValidProjectName, {
    error: (issue) => `expected ${projectNameExpected}, got ${JSON.stringify(issue.input)}`,
  });
}

export function isValidProjectName(name: string): boolean {
  return projectNamePattern.test(name) && name !== 'default';
}

function projectEntry(ctx: SchemaContext) {
  return table(
    {
      name: projectName(),
      root: pathField(ctx),
      default: bool().default(false),
      max_concurrent: int(1).default(2),
      default_agent: agentChoice().optional(),
      reviewer_agent: agentChoice().optional(),
    },
    'a [[projects]] table',
  );
}

export function buildConfigSchema(ctx: SchemaContext) {
  return table({
    server: serverSection(ctx),
    agents: agentsSection(ctx),
    // Where the store lives: absent means SQLite in server.data_dir; a PostgreSQL URL shares one
    // database (queue, tasks, events) between every server of a fleet. HARNESS_DATABASE_URL wins.
    store: section({ url: databaseUrl().optional() }),
    concurrency: section({
      // Fleet-wide: every server sharing the store counts every server's running tasks.
      max_concurrent_tasks: int(1).default(4),
      // This server's own cap (its CPU, memory, agent seats); max_concurrent_tasks when absent.
      host_max_concurrent_tasks: int(1).optional(),
      // How long a task's lease lasts without renewal: how soon another host takes over a dead one's task.
      lease_seconds: int(5, 3600).default(30),
      max_queue_size: int(1).default(32),
    }),
    rules: section({
      exec_policy_paths: list(pathField(ctx), 'an array of paths').default([]),
      on_prompt: oneOf(['refuse', 'needs_input']).default('refuse'),
      /** Rule files (markdown) or directories of them, read after the project, user and admin rules. */
      discovery_paths: list(pathField(ctx), 'an array of paths').default([]),
    }),
    gc: gcSection(),
    // Skills (packages/harness/src/skills): the machine's folder, the shipped ones, and those every
    // turn activates.
    skills: section({
      admin_dir: pathField(ctx).default('/etc/harness/skills'),
      builtin: bool().default(true),
      always: skillNames().default([]),
    }),
    // A read-only agent turn before implementing (review/preflight.ts); a project's overlay may turn it on alone.
    preflight: section({ enabled: bool().default(false) }),
    // The default for projects whose overlay does not set [validation] guard_severity.
    validation: section({ guard_severity: oneOf(guardSeverities).default('high') }),
    observe: section({ log_retention_days: int(0).default(90) }),
    otel: section({
      environment: text().default('production'),
      exporter: oneOf(otelExporters).default('otlp-http'),
      endpoint: httpUrl().optional(),
      log_user_prompt: bool().default(false),
      service_name: text().default('harness'),
    }),
    github: section({
      api_url: httpUrl().default('https://api.github.com'),
      token: secret(),
      mention_handle: text('a handle such as "@harness"')
        .regex(/^@[A-Za-z0-9][A-Za-z0-9_-]*(\[bot\])?$/, {
          error: (issue) => `expected a handle such as "@harness", got ${JSON.stringify(issue.input)}`,
        })
        .default('@harness'),
      // Harness's own login, for a GitHub App installation token (which cannot call GET /user).
      bot_login: text('a GitHub login such as "my-app[bot]"')
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}(\[bot\])?$/, {
          error: (issue) =>
            `expected a GitHub login such as "my-app[bot]", got ${JSON.stringify(issue.input)}`,
        })
        .optional(),
    }),
    // Who Harness's commits (a task's implementation, its fixes) are by. No newline and no angle
    // bracket: git would write them into the commit header as they are.
    git: section({
      author_name: text('a name without newlines or angle brackets')
        .regex(/^[^\n\r<>]+$/, {
          error: (issue) =>
            `expected a name without newlines or angle brackets, got ${JSON.stringify(issue.input)}`,
        })
        .default('Harness'),
      author_email: text('an email address such as "harness@localhost"')
        .regex(/^[^\s<>@]+@[^\s<>@]+$/, {
          error: (issue) =>
            `expected an email address such as "harness@localhost", got ${JSON.stringify(issue.input)}`,
        })
        .default('harness@localhost'),
      // How tasks deliver unless their project's overlay or the task says otherwise.
      deliver: oneOf(deliverModes).default('auto'),
      // A failed or cancelled task's branch (with its unfinished work committed) stays in the
      // project checkout, so nothing an agent wrote is lost; false deletes it with the worktree.
      keep_failed_branches: bool().default(true),
    }),
    projects: list(projectEntry(ctx), 'an array of [[projects]] tables').default([]),
    // The AGENTS.md cascade every agent is given (context/): Codex's project_doc_fallback_filenames
    // and project_doc_max_bytes, applied the same way to every agent.
    agents_md: section({
      fallback_filenames: list(agentsMdFilename(), 'an array of file names').default([]),
      max_bytes: int(0).default(32_768),
    }),
  });
}

export const complexityLevels = ['simple', 'medium', 'complex', 'critical'] as const;

function preferredAgents() {
  const names = list(agentName(), 'an array of agent names');
  const perComplexity = table(
    {
      simple: names.optional(),
      medium: names.optional(),
      complex: names.optional(),
      critical: names.optional(),
    },
    'a table of agent-name arrays per complexity (simple, medium, complex, critical)',
  );
  return z.union([names, perComplexity], {
    error:
      'expected an array of agent names, or a table of them per complexity (simple, medium, complex, critical)',
  });
}

function agentModels() {
  return table(
    { claude: text().optional(), codex: text().optional(), anthropic_api: text().optional() },
    'a table of model names per agent (claude, codex, anthropic_api)',
  );
}

/** A plain file name (no folder, not `.` or `..`): each directory of the cascade is searched for it. */
function agentsMdFilename() {
  return text('a file name such as "TEAM.md"').regex(/^(?!\.\.?$)[^/\\\0]+$/, {
    error: (issue) =>
      `expected a file name without a folder, such as "TEAM.md", got ${JSON.stringify(issue.input)}`,
  });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
export type HarnessConfig = z.output<ConfigSchema>;
export type ProjectConfig = HarnessConfig['projects'][number];
