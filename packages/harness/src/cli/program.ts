import { Command, CommanderError, Option } from 'commander';
import { harnessVersion } from '../core/index.js';
import { collect, printError } from './output.js';

/** Exit codes: 0 success, 1 failure, 2 bad usage (unknown command or option, invalid flag value). */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * The `harness` program with its global options and no commands. Every entry point (main.ts with
 * all commands, rule-main.ts with only `rule`) starts from this one, so help, version and global
 * flags are the same whichever of them runs.
 */
export function createProgram(): Command {
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
  return program;
}

/** Runs a program on argv; resolves to the process exit code. The only place errors become exit codes. */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  for (const command of program.commands) command.exitOverride();
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
