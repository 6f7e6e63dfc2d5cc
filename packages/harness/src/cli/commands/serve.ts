import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type HarnessConfig,
  ensureOperatorKey,
  type LogFormat,
  harnessVersion,
  logLevels,
  resolveLogFormat,
  transports,
} from '../../core/index.js';
import { loadCliConfig } from '../global-options.js';
import { addLogOptions, runMcp, serverLogger } from './mcp.js';
import { nextSignal, withDeadline } from '../signals.js';

interface ServeOptions {
  transport?: HarnessConfig['server']['transport'] | 'mcp';
  host?: string;
  port?: number;
  dataDir?: string;
  projectRoot?: string;
  logLevel?: HarnessConfig['server']['log_level'];
  logFormat?: LogFormat;
  logFile?: string;
  dashboardDir?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return port;
}

export function registerServeCommand(program: Command): void {
  const serveCommand = program
    .command('serve')
    .description(
      'run the Harness server (JSON-RPC over stdio, or HTTP with /rpc, /ws and /health, or MCP over stdio)',
    )
    .addOption(
      // `mcp` is a CLI choice only: the config's server.transport stays a JSON-RPC transport.
      new Option('-t, --transport <kind>', 'stdio, http, ws or mcp (default: server.transport)').choices([
        ...transports,
        'mcp',
      ]),
    )
    .option('--host <address>', 'address to bind for http/ws (default: from server.http_addr)')
    .option(
      '--port <port>',
      'port for http/ws; 0 picks a free one (default: from server.http_addr)',
      parsePort,
    )
    .option(
      '--data-dir <path>',
      'where worktrees and the SQLite database (without [store] url) live (default: server.data_dir)',
    )
    .option(
      '--project-root <path>',
      'default directory for threads (default: the default project, else server.project_root)',
    )
    .option(
      '--dashboard-dir <path>',
      'the built web dashboard served at / over http (default: packages/dashboard/dist of this checkout)',
    )
    .addOption(new Option('--log-level <level>', 'log level (default: server.log_level)').choices(logLevels));
  addLogOptions(serveCommand).action(async (options: ServeOptions, command: Command) => {
    const { config, file } = loadCliConfig(command);
    if (options.transport === 'mcp') return runMcp(config, file, options);
    await serve(config, file, options);
  });
}

function splitHostPort(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  return { host: addr.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(addr.slice(colon + 1)) };
}

async function serve(config: HarnessConfig, file: string | null, options: ServeOptions): Promise<void> {
  // Signal handlers go in first: a client may send SIGTERM the moment it sees "listening".
  const stopSignal = nextSignal();
  const transport = options.transport ?? config.server.transport;
  const format = options.logFormat ?? config.server.log_format;
  const logger = serverLogger(config, options);
  // On a terminal (text logs) the ready line is printed as a sentence; in JSON it is a log field.
  const announce = (sentence: string, fields: object, message: string) => {
    logger.info({ ...fields, ready: sentence }, message);
    if (resolveLogFormat(format, process.stderr) === 'text') process.stderr.write(`${sentence}\n`);
  };
  // Loaded here, not at the top: `harness rule` and `harness config` start without the server.
  const [{ composeHarness }, { serveHttp, serveStdio }, { startTelemetry }] = await Promise.all([
    import('../compose.js'),
    import('../../server/index.js'),
    import('../../observe/index.js'),
  ]);
  const harness = await composeHarness(config, logger, {
    configFile: file,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.projectRoot ? { projectRoot: options.projectRoot } : {}),
  });
  logger.info(
    { config_file: file, data_dir: options.dataDir ?? config.server.data_dir, transport },
    'harness starting',
  );
  const graceMs = config.server.shutdown_timeout_secs * 1000;
  const telemetry = await startTelemetry({
    config: config.otel,
    events: harness.events,
    logger,
    version: harnessVersion,
  });
  // Closing the harness writes the last turn and task events; telemetry flushes after, briefly.
  const close = async (ms: number) => {
    await harness.close(ms);
    await telemetry.shutdown(Math.min(ms, 5_000) || 2_000);
  };

  if (transport === 'stdio') {
    const stdio = serveStdio(harness, process.stdin, process.stdout, config.server.max_body_bytes);
    announce(
      'harness reading JSON-RPC on stdin, one message per line; replies and notifications on stdout',
      { transport },
      'reading JSON-RPC on stdin',
    );
    const signal = await Promise.race([stdio.finished.then(() => null), stopSignal]);
    if (signal) {
      await withDeadline(stdio.close(), graceMs, () =>
        logger.warn({ ms: graceMs }, 'shutdown grace period over; dropping requests still in flight'),
      );
    }
    await close(graceMs);
    logger.info({ reason: signal ?? 'end of input' }, 'harness stopped');
    logger.close();
    return;
  }

  const configured = splitHostPort(config.server.http_addr);
  const http = await serveHttp(harness, {
    host: options.host ?? configured.host,
    port: options.port ?? configured.port,
    token: config.server.api_token ?? null,
    // Without a token, answering an approval over HTTP needs this key (core/operator-key.ts).
    operatorKey: config.server.api_token
      ? null
      : ensureOperatorKey(options.dataDir ?? config.server.data_dir),
    maxBodyBytes: config.server.max_body_bytes,
    wsHeartbeatMs: config.server.ws_heartbeat_interval_secs * 1000,
    serveRpc: transport === 'http',
    rest: harness.rest,
    allowedOrigins: config.server.allowed_origins,
    ...(options.dashboardDir ? { dashboardDir: path.resolve(options.dashboardDir) } : {}),
  }).catch(async (error: unknown) => {
    await close(0);
    throw error;
  });
  // `listening` with `url` is what scripts (and the test kit) wait for; keep both.
  announce(
    readySentence(http.url, transport),
    { url: http.url, auth: Boolean(config.server.api_token) },
    'listening',
  );
  const signal = await stopSignal;
  logger.info({ signal }, 'shutting down: finishing requests in flight');
  await http.close(graceMs);
  await close(graceMs);
  logger.info({ signal }, 'harness stopped');
  logger.close();
}

/** What `harness serve` answers where, for the line it prints once it is ready. */
export function readySentence(url: string, transport: string): string {
  if (transport === 'ws')
    return `harness listening on ${url} (JSON-RPC over WebSocket at /ws, health at /health)`;
  return (
    `harness listening on ${url} (dashboard at /, JSON-RPC at /rpc and over WebSocket at /ws, ` +
    'REST at /tasks and /api/projects, dashboard data at /api/dashboard, health at /health)'
  );
}
