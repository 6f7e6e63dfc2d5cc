import { type Command, Option } from 'commander';
import { type HarnessConfig, type LogFormat, createLogger, logFormats, logLevels } from '../../core/index.js';
import { loadCliConfig } from '../global-options.js';
import { nextSignal, withDeadline } from '../signals.js';

export interface McpOptions {
  dataDir?: string;
  projectRoot?: string;
  logLevel?: HarnessConfig['server']['log_level'];
  logFormat?: LogFormat;
  logFile?: string;
}

/** `--log-format` and `--log-file`, shared by `serve` and `mcp`. */
export function addLogOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--log-format <format>',
        'text on a terminal and JSON lines otherwise (auto), or force one (default: server.log_format)',
      ).choices(logFormats),
    )
    .option(
      '--log-file <path>',
      'also append the logs to this file, created with mode 0600 (default: server.log_file)',
    );
}

/** The logger `serve` and `mcp` log with: level, format and file from the flags, else the config. */
export function serverLogger(config: HarnessConfig, options: McpOptions) {
  const file = options.logFile ?? config.server.log_file;
  return createLogger(options.logLevel ?? config.server.log_level, process.stderr, {
    format: options.logFormat ?? config.server.log_format,
    ...(file === undefined ? {} : { file }),
  });
}

export function registerMcpCommand(program: Command): void {
  const mcp = program
    .command('mcp')
    .description(
      'run Harness as an MCP server over stdio (tools: start_task, task_status, start_thread, send_message, check_command …)',
    )
    .option('--data-dir <path>', 'where the SQLite database lives (default: server.data_dir)')
    .option(
      '--project-root <path>',
      'default directory for threads (default: the default project, else server.project_root)',
    )
    .addOption(new Option('--log-level <level>', 'log level (default: server.log_level)').choices(logLevels));
  addLogOptions(mcp).action(async (options: McpOptions, command: Command) => {
    const { config, file } = loadCliConfig(command);
    await runMcp(config, file, options);
  });
}

/**
 * `harness mcp` and `harness serve --transport mcp`: stdout carries MCP only, logs go to stderr.
 * Runs until the client closes stdin or a signal arrives, then lets calls in flight answer and
 * closes the store; tasks still running are resumed at the next start.
 */
export async function runMcp(config: HarnessConfig, file: string | null, options: McpOptions): Promise<void> {
  // Signal handlers go in first: a client may stop the server the moment it has started it.
  const stopSignal = nextSignal();
  const logger = serverLogger(config, options);
  // Loaded here, not at the top: `harness rule` and `harness config` start without the server.
  const [{ composeHarness }, { serveMcp }] = await Promise.all([
    import('../compose.js'),
    import('../../server/index.js'),
  ]);
  const harness = await composeHarness(config, logger, {
    configFile: file,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.projectRoot ? { projectRoot: options.projectRoot } : {}),
  });
  const mcp = await serveMcp(harness, process.stdin, process.stdout).catch(async (error: unknown) => {
    await harness.close();
    throw error;
  });
  logger.info(
    { config_file: file, data_dir: options.dataDir ?? config.server.data_dir, transport: 'mcp' },
    'harness MCP server ready',
  );
  const signal = await Promise.race([mcp.finished.then(() => null), stopSignal]);
  const graceMs = config.server.shutdown_timeout_secs * 1000;
  await withDeadline(mcp.close(), graceMs, () =>
    logger.warn({ ms: graceMs }, 'shutdown grace period over; dropping MCP calls still in flight'),
  );
  await harness.close();
  logger.info({ reason: signal ?? 'end of input' }, 'harness stopped');
  logger.close();
}
