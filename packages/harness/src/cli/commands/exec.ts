import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { RpcResponse, Turn } from '@harness/protocol';
import {
  type ErrorCode,
  ErrorCodes,
  agentNames,
  HarnessError,
  createLogger,
  isRecord,
  isWithin,
  sandboxModes,
} from '../../core/index.js';
import { globalOptions, loadCliConfig, selectedProjectRoot } from '../global-options.js';
import { printFailure } from '../output.js';
import { progressPrinter } from '../progress.js';

interface ExecOptions {
  agent?: string;
  model?: string;
  sandboxMode?: string;
  outputFile?: string;
  dataDir?: string;
}

export function registerExecCommand(program: Command): void {
  program
    .command('exec')
    .description('run one turn of an agent on a prompt: progress on stderr, the final answer on stdout')
    .argument('<prompt>', 'what the agent should do')
    .addOption(new Option('--agent <name>', 'default: agents.default_agent').choices(agentNames))
    .option('--model <model>', 'model to ask the agent to use')
    .addOption(new Option('--sandbox-mode <mode>', 'default: agents.sandbox_mode').choices(sandboxModes))
    .option('--output-file <path>', 'also write the final answer to this file (inside the project)')
    .option('--data-dir <path>', 'where the run is recorded (default: server.data_dir)')
    .addHelpText(
      'after',
      '\nThe project is the working directory, or --project NAME|PATH. Exit code 0 only if the turn succeeded.',
    )
    .action(async (prompt: string, options: ExecOptions, command: Command) => {
      process.exitCode = await exec(prompt, options, command);
    });
}

async function exec(prompt: string, options: ExecOptions, command: Command): Promise<number> {
  const { config, file } = loadCliConfig(command);
  const cwd = selectedProjectRoot(command, config) ?? process.cwd();
  const outputFile = options.outputFile === undefined ? undefined : containedPath(cwd, options.outputFile);
  // Loaded here, not at the top: `harness rule` and `harness config` start without the server.
  const [{ composeHarness }, { InProcessClient }] = await Promise.all([
    import('../compose.js'),
    import('../../server/index.js'),
  ]);
  const harness = await composeHarness(config, createLogger('warn'), {
    configFile: file,
    runsTasks: false,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const client = new InProcessClient(harness);
  client.onNotification(progressPrinter());
  const call = async (method: string, params?: unknown) => resultOf(await client.request(method, params));
  let turnId: string | undefined;
  const onSignal = () => void (turnId && client.request('turn/cancel', { turn_id: turnId }));
  process.once('SIGINT', onSignal);
  try {
    await call('initialize', { client_info: { name: 'harness exec' } });
    await client.sendText('{"jsonrpc":"2.0","method":"initialized"}');
    const { thread_id } = (await call('thread/start', {
      cwd,
      ...(options.agent ? { agent: options.agent } : {}),
    })) as { thread_id: string };
    const started = (await call('turn/start', {
      thread_id,
      input: prompt,
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.model ? { model: options.model } : {}),
      ...(options.sandboxMode ? { sandbox_mode: options.sandboxMode } : {}),
    })) as { turn_id: string };
    turnId = started.turn_id;
    const turn = await harness.turns.wait(started.turn_id);
    return report(turn, thread_id, outputFile, globalOptions(command).json === true);
  } finally {
    process.off('SIGINT', onSignal);
    client.close();
    await harness.close();
  }
}

/**
 * Success prints the final answer on stdout. Failure prints nothing there (the agent's last words
 * are not an answer when the turn failed) and the turn's error once on stderr, with its code.
 */
function report(turn: Turn, threadId: string, outputFile: string | undefined, json: boolean): number {
  if (turn.status !== 'completed') {
    const code = turn.error?.code ?? turn.status;
    if (json)
      process.stdout.write(`${JSON.stringify({ thread_id: threadId, turn, answer: null }, null, 2)}\n`);
    printFailure(`turn ${turn.status}: ${turn.error?.message ?? 'the agent gave no reason'}`, code);
    return 1;
  }
  const answer = [...turn.items].reverse().find((item) => item.type === 'agent_message');
  const text = answer ? String(answer.text) : '';
  if (outputFile !== undefined) writeFileSync(outputFile, text);
  if (json) process.stdout.write(`${JSON.stringify({ thread_id: threadId, turn, answer: text }, null, 2)}\n`);
  else if (text) process.stdout.write(`${text}\n`);
  return 0;
}

const errorCodes: readonly string[] = Object.values(ErrorCodes);

/** A call's result; its error is thrown with the code the server gave it (`invalid_params` …). */
function resultOf(response: RpcResponse): unknown {
  if (!('error' in response)) return response.result;
  const given = isRecord(response.error.data) ? response.error.data.code : undefined;
  const code =
    typeof given === 'string' && errorCodes.includes(given) ? (given as ErrorCode) : ErrorCodes.agent;
  throw new HarnessError(code, response.error.message, { data: response.error.data });
}

/** The output file must stay inside the project: no `..` escapes, no absolute paths elsewhere. */
function containedPath(root: string, file: string): string {
  const resolved = path.resolve(root, file);
  if (!isWithin(root, resolved)) {
    throw new HarnessError(ErrorCodes.invalidParams, `--output-file: ${file} is outside the project ${root}`);
  }
  return resolved;
}
