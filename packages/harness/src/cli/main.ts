import type { Command } from 'commander';
import { registerActionCommand } from './commands/action.js';
import { registerAgentsCommand } from './commands/agents.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExecCommand } from './commands/exec.js';
import { registerInitCommand } from './commands/init.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerRuleCommand } from './commands/rule.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTaskCommand } from './commands/task.js';
import { registerGcCommand } from './commands/gc.js';
import { registerSkillCommand } from './commands/skill.js';
import { registerPlanCommand } from './commands/plan.js';
import { createProgram, runProgram } from './program.js';

export { exitCodes } from './program.js';

export function buildProgram(): Command {
  const program = createProgram();
  registerServeCommand(program);
  registerExecCommand(program);
  registerRuleCommand(program);
  registerDemoCommand(program);
  registerConfigCommand(program);
  registerActionCommand(program);
  registerMcpCommand(program);
  registerDoctorCommand(program);
  registerInitCommand(program);
  registerTaskCommand(program);
  registerGcCommand(program);
  registerSkillCommand(program);
  registerAgentsCommand(program);
  registerPlanCommand(program);
  return program;
}

/** Runs the CLI with every command; resolves to the process exit code. */
export function main(argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}
