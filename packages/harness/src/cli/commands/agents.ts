import type { Command } from 'commander';
import { z } from 'zod';
import { agentInfoSchema } from '@harness/protocol';
import { globalOptions } from '../global-options.js';
import { colorsFor, printData } from '../output.js';
import { addServerOptions, resolveServer, ServerClient } from './server-client.js';

type AgentInfo = z.infer<typeof agentInfoSchema>;

/** `harness agents`: the running server's agents (JSON-RPC `agent/list`), usable or why not. */
export function registerAgentsCommand(program: Command): void {
  addServerOptions(
    program
      .command('agents')
      .description("a running server's agents: whether each is usable (and why not), its model access"),
  ).action(async (_options: unknown, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const result = z.object({ agents: z.array(agentInfoSchema) }).parse(await client.rpc('agent/list', {}));
    printData(result, globalOptions(command).json === true, () => renderAgents(result.agents));
  });
}

function renderAgents(agents: AgentInfo[]): string {
  if (agents.length === 0) return 'no agents';
  const c = colorsFor(process.stdout);
  const width = Math.max(...agents.map((a) => a.name.length));
  return agents
    .map((agent) => {
      const status = agent.usable ? c.green('usable    ') : c.red('not usable');
      const details = agent.usable
        ? [
            agent.version,
            agent.default_model && `model ${agent.default_model}`,
            agent.model_access &&
              `model access: ${agent.model_access}${agent.model_access_reason ? ` (${agent.model_access_reason})` : ''}`,
          ]
        : [agent.enabled ? agent.reason : `disabled${agent.reason ? `: ${agent.reason}` : ''}`];
      return `${agent.name.padEnd(width)}  ${status}  ${details.filter(Boolean).join(', ')}`;
    })
    .join('\n');
}
