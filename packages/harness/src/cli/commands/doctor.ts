import type { Command } from 'commander';
import type { AgentAvailability } from '../../agents/index.js';
import { createLogger, defaultProject } from '../../core/index.js';
import type { SandboxCapabilities } from '../../sandbox/index.js';
import { globalOptions, loadCliConfig, selectedProjectRoot } from '../global-options.js';
import { printData } from '../output.js';
import {
  agentCheck,
  dataDirCheck,
  type DoctorCheck,
  gitCheck,
  githubTokenCheck,
  remoteCheck,
  sandboxCheck,
  taskAgentsCheck,
} from './doctor-checks.js';

export interface DoctorReport {
  /** True when everything a first task needs is in place (no check failed). */
  ok: boolean;
  checks: DoctorCheck[];
  agents: AgentAvailability[];
  sandbox: SandboxCapabilities;
  /** Where the gateway listened for this check; each server or exec starts its own. */
  model_gateway: string;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      "check this host and project: each agent's binary and credentials, bubblewrap, git, the project's remote and forge, the GitHub token, the data directory",
    )
    .addHelpText(
      'after',
      '\nExit code 0 when everything a first task needs is OK (an agent with credentials, a usable implementor and reviewer for the project, bubblewrap, git, a delivery the remote allows, a GitHub token the loopback API accepts, a writable data directory), 1 otherwise.',
    )
    .action(async (_options: unknown, command: Command) => {
      const report = await doctor(command);
      printData(report, globalOptions(command).json === true, () => renderReport(report));
      process.exitCode = report.ok ? 0 : 1;
    });
}

async function projectRoot(
  command: Command,
  config: Parameters<typeof selectedProjectRoot>[1],
): Promise<string | null> {
  const chosen = selectedProjectRoot(command, config) ?? defaultProject(config)?.root;
  if (chosen !== undefined) return chosen;
  const { existsSync } = await import('node:fs');
  return existsSync('.git') ? process.cwd() : null;
}

async function doctor(command: Command): Promise<DoctorReport> {
  const { config } = loadCliConfig(command);
  // Loaded here, not at the top: `harness rule` and `harness config` start without the agents.
  const [{ AgentRegistry, ModelGateway }, { probeSandbox, INSTALL_HINT }] = await Promise.all([
    import('../../agents/index.js'),
    import('../../sandbox/index.js'),
  ]);
  const logger = createLogger('warn');
  const gateway = await ModelGateway.start({ logger });
  const registry = AgentRegistry.fromConfig(config.agents, logger, { gateway });
  try {
    const root = await projectRoot(command, config);
    const [agents, sandbox, git, remote, token] = await Promise.all([
      registry.list(),
      probeSandbox(),
      gitCheck(),
      remoteCheck(root, config),
      githubTokenCheck(config),
    ]);
    const agentChecks = agents.map((agent) => agentCheck(agent, config, process.env));
    const anyAgent: DoctorCheck = agentChecks.some((check) => check.status === 'ok')
      ? { name: 'agents', status: 'ok', detail: 'at least one agent can run a turn', fix: null }
      : {
          name: 'agents',
          status: 'fail',
          detail: 'no agent has both its binary and credentials',
          fix: 'see the agent lines above; the quickest: install Claude Code and export ANTHROPIC_API_KEY',
        };
    const taskAgents = taskAgentsCheck(config, root, agentChecks);
    const checks = [
      ...agentChecks,
      anyAgent,
      ...(taskAgents === null ? [] : [taskAgents]),
      sandboxCheck(sandbox, config, INSTALL_HINT),
      git,
      remote,
      token,
      dataDirCheck(config.server.data_dir),
    ];
    return {
      ok: checks.every((check) => check.status !== 'fail'),
      checks,
      agents,
      sandbox,
      model_gateway: gateway.origin,
    };
  } finally {
    await registry.close();
  }
}

export function renderReport(report: DoctorReport): string {
  const lines = report.checks.flatMap((check) => {
    const head = `${check.status.padEnd(5)} ${check.name.padEnd(20)} ${check.detail}`;
    return check.fix === null ? [head] : [head, `${''.padEnd(27)}fix: ${check.fix}`];
  });
  lines.push(report.ok ? 'ready for a first task' : 'not ready: fix the lines marked "fail"');
  return lines.join('\n');
}
