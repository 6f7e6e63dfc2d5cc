import type { Command } from 'commander';
import type { AgentAvailability } from '../../agents/index.js';
import { createLogger } from '../../core/index.js';
import type { SandboxCapabilities } from '../../sandbox/index.js';
import { globalOptions, loadCliConfig } from '../global-options.js';
import { printData } from '../output.js';

export interface DoctorReport {
  agents: AgentAvailability[];
  sandbox: SandboxCapabilities;
  /** Where the gateway listened for this check; each server or exec starts its own. */
  model_gateway: string;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      "check this host: each agent's binary, credentials and model access (Harness's gateway or the agent's own login), and bubblewrap",
    )
    .addHelpText('after', '\nExit code 0 when at least one agent is usable, 1 otherwise.')
    .action(async (_options: unknown, command: Command) => {
      const report = await doctor(command);
      printData(report, globalOptions(command).json === true, () => renderReport(report));
      process.exitCode = report.agents.some((agent) => agent.usable) ? 0 : 1;
    });
}

async function doctor(command: Command): Promise<DoctorReport> {
  const { config } = loadCliConfig(command);
  // Loaded here, not at the top: `harness rule` and `harness config` start without the agents.
  const [{ AgentRegistry, ModelGateway }, { probeSandbox }] = await Promise.all([
    import('../../agents/index.js'),
    import('../../sandbox/index.js'),
  ]);
  const logger = createLogger('warn');
  const gateway = await ModelGateway.start({ logger });
  const registry = AgentRegistry.fromConfig(config.agents, logger, { gateway });
  try {
    const [agents, sandbox] = await Promise.all([registry.list(), probeSandbox()]);
    return { agents, sandbox, model_gateway: gateway.origin };
  } finally {
    await registry.close();
  }
}

function renderAgent(agent: AgentAvailability): string[] {
  const state = agent.usable ? 'usable' : agent.enabled ? 'not usable' : 'disabled';
  const lines = [
    `${agent.name.padEnd(14)} ${state}${agent.version === null ? '' : ` (version ${agent.version})`}`,
  ];
  if (agent.binary_path !== null) lines.push(`  binary:       ${agent.binary_path}`);
  if (agent.reason !== null) lines.push(`  why:          ${agent.reason}`);
  if (agent.model_access !== null)
    lines.push(`  model access: ${agent.model_access} — ${agent.model_access_reason ?? ''}`);
  return lines;
}

export function renderReport(report: DoctorReport): string {
  const { sandbox } = report;
  const bwrap =
    sandbox.bwrap_path === null
      ? `not usable: ${sandbox.bwrap_problem ?? 'not found'} (read-only and workspace-write are refused)`
      : `${sandbox.bwrap_path} ${sandbox.bwrap_version ?? ''}`.trim();
  return [
    ...report.agents.flatMap(renderAgent),
    `bubblewrap     ${bwrap}${sandbox.is_root ? ' (running as root: capabilities are dropped inside)' : ''}`,
  ].join('\n');
}
