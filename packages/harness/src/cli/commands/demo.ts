import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createLogger, loadConfig } from '../../core/index.js';
import type { Harness } from '../../server/index.js';
import { loadDemoKit } from '../demo/demo-kit.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run one real task through the whole pipeline on a throwaway repository (the model is scripted)',
    )
    .option('--keep', 'keep the temporary directory and leave the server running until Ctrl-C')
    .action(async (options: { keep?: boolean }) => {
      process.exitCode = await demo(options.keep === true);
    });
}

/**
 * Everything real but the model: git, the worktree, the Claude Code CLI implementing, validation,
 * the push to a bare remote, a pull request on a local GitHub stand-in, the Anthropic API adapter
 * reviewing, the grade — all on 127.0.0.1.
 */
async function demo(keep: boolean): Promise<number> {
  const { startGithubStandIn, startScriptedAnthropicServer, scriptedClaudeEnv } = await loadDemoKit();
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-demo-'));
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('Harness demo. The model is SCRIPTED: no AI service is called; every other part is real.');
  // Loaded here, not at the top: `harness rule` and `harness config` start without the server.
  const [
    { AgentRegistry, ModelGateway },
    { Harness, serveHttp },
    { SqliteStore },
    { createDemoProject, demoModel },
    { demoPrinter },
  ] = await Promise.all([
    import('../../agents/index.js'),
    import('../../server/index.js'),
    import('../../store/index.js'),
    import('../demo/demo-project.js'),
    import('../demo/demo-printer.js'),
  ]);
  const project = createDemoProject(dir);
  const hub = await startGithubStandIn({ token: 'demo' });
  hub.addRepo('acme/calculator');
  const model = await startScriptedAnthropicServer([]);
  model.script.respondWith(demoModel);
  const configFile = path.join(dir, 'config.toml');
  writeFileSync(configFile, demoConfig(model.baseUrl, hub.url, project.root));
  const { config } = loadConfig({ configPath: configFile });
  const logger = createLogger('warn');
  // As in production, the agents reach the (scripted) model through Harness's gateway.
  const agents = AgentRegistry.fromConfig(config.agents, logger, {
    gateway: await ModelGateway.start({ logger }),
    claude: { env: scriptedClaudeEnv(model.baseUrl), home: path.join(dir, 'home') },
  });
  const { createPorts } = await import('../compose.js');
  const harness = await Harness.start({
    config,
    store: SqliteStore.open(path.join(dir, 'data')),
    ports: createPorts(config, logger),
    agents,
    dataDir: path.join(dir, 'data'),
  });
  const http = await serveHttp(harness, {
    host: '127.0.0.1',
    port: 0,
    token: null,
    // Nobody answers approvals in the demo: no request is the operator's.
    operatorKey: null,
    maxBodyBytes: 1 << 20,
    wsHeartbeatMs: 30_000,
    serveRpc: true,
    rest: harness.rest,
  });
  try {
    say(`Repository with a failing test: ${project.root}`);
    say(`Server: ${http.url}  (GitHub stand-in: ${hub.url})\n`);
    const task = await harness.tasks.create({
      prompt: 'Fix add() in math.js: the test fails.',
      project: 'calculator',
      priority: 0,
    });
    say(`Task ${task.id} submitted. Follow it live with:\n  curl -N ${http.url}/tasks/${task.id}/stream\n`);
    harness.events.onAppend(demoPrinter(task.id));
    const done = await waitForEnd(harness, task.id);
    say(`\nPull request: ${done.pr_url ?? 'none'}; branch ${done.branch} pushed to ${project.remote}`);
    say(
      `Reviews on the pull request: ${hub.reviews('acme/calculator', done.pr_number ?? 0).length}; cost $${done.cost_usd}`,
    );
    if (keep) {
      say(`\nKept ${dir}; the server stays up at ${http.url} until Ctrl-C.`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return done.state === 'done' ? 0 : 1;
  } finally {
    await http.close(1000);
    await harness.close();
    await model.close();
    await hub.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForEnd(harness: Harness, taskId: string) {
  for (;;) {
    const task = await harness.tasks.get(taskId);
    if (['done', 'failed', 'cancelled', 'needs_input'].includes(task.state)) return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function demoConfig(modelUrl: string, githubUrl: string, root: string): string {
  // The pinned Claude Code CLI from this checkout's dev dependencies.
  const claude = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@anthropic-ai/claude-code/package.json')),
    'bin',
    'claude.exe',
  );
  return [
    '[agents]',
    'default_agent = "claude"',
    '[agents.claude]',
    `cli_path = "${claude}"`,
    `base_url = "${modelUrl}"`,
    '[agents.anthropic_api]',
    `base_url = "${modelUrl}"`,
    'api_key = "scripted"',
    '[agents.review]',
    'reviewer_agent = "anthropic_api"',
    '[otel]',
    'exporter = "disabled"',
    '[github]',
    `api_url = "${githubUrl}"`,
    'token = "demo"',
    '[[projects]]',
    'name = "calculator"',
    `root = "${root}"`,
    '',
  ].join('\n');
}
