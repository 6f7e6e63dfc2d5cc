import { Command, CommanderError, Option } from 'commander';
import { harnessVersion } from '../core/index.js';
import { registerActionCommand } from './commands/action.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExecCommand } from './commands/exec.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerRuleCommand } from './commands/rule.js';
import { registerServeCommand } from './commands/serve.js';
import { collect, printError } from './output.js';

/** Exit codes: 0 success, 1 failure, 2 bad usage (unknown command or option, invalid flag value). */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('harness')
    .description(
      'A control plane for AI coding agents: threads, turns, tasks, policy, review and observability.',
    )
    .version(harnessVersion, '-V, --version', 'print the version')
    .addOption(
      new Option(
        '-c, --config <path>',
        'config file (default: $HARNESS_CONFIG, then ~/.config/harness/config.toml)',
      ),
    )
    .addOption(
      new Option(
        '-p, --project <name=path>',
        'NAME=PATH registers a project (repeatable, wins over [[projects]]); NAME or PATH selects one',
      ).argParser(collect),
    )
    .option('--json', 'print data as JSON')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureHelp({ showGlobalOptions: true });
  registerServeCommand(program);
  registerExecCommand(program);
  registerRuleCommand(program);
  registerDemoCommand(program);
  registerConfigCommand(program);
  registerActionCommand(program);
  registerMcpCommand(program);
  registerDoctorCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; resolves to the process exit code. The only place errors become exit codes. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return exitCodes.ok; // --help, --version
      return error.code === 'commander.executeSubCommandAsync' ? exitCodes.failure : exitCodes.usage;
    }
    printError(error);
    return exitCodes.failure;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
}
