import { describeError, type ProcessRunner } from '../../core/index.js';
import type { SandboxCapabilities } from '../../sandbox/index.js';
import { consultCommandGate, refusalText } from '../command-gate.js';
import type { TurnContext } from '../turn.js';
import { runSandboxedCommand } from './command-tool.js';
import {
  editFileTool,
  listFilesTool,
  readFileTool,
  searchTool,
  writeFileTool,
  type ToolOutcome,
} from './fs-tools.js';

export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, unknown>; required: string[] };
}

const s = (description: string) => ({ type: 'string', description });

/** The worktree tools Harness offers the model; paths are relative to the worktree. */
export const TOOL_DEFINITIONS: ToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a text file of the worktree.',
    input_schema: {
      type: 'object',
      properties: { path: s('file path, relative to the worktree') },
      required: ['path'],
    },
  },
  {
    name: 'list_files',
    description: 'List a directory of the worktree (directories end with /).',
    input_schema: { type: 'object', properties: { path: s('directory, default "."') }, required: [] },
  },
  {
    name: 'search',
    description: 'Search file contents with a JavaScript regular expression; returns path:line: text.',
    input_schema: {
      type: 'object',
      properties: { pattern: s('regular expression'), path: s('directory, default ".".') },
      required: ['pattern'],
    },
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file of the worktree.',
    input_schema: {
      type: 'object',
      properties: { path: s('file path'), content: s('the whole new content') },
      required: ['path', 'content'],
    },
  },
  {
    name: 'edit_file',
    description: 'Replace one exact, unique occurrence of old_string with new_string in a file.',
    input_schema: {
      type: 'object',
      properties: {
        path: s('file path'),
        old_string: s('text to replace, must occur once'),
        new_string: s('replacement'),
      },
      required: ['path', 'old_string', 'new_string'],
    },
  },
  {
    name: 'run_command',
    description:
      'Run a bash command in the worktree (sandboxed; subject to the command policy). Returns exit code and output.',
    input_schema: { type: 'object', properties: { command: s('the bash command') }, required: ['command'] },
  },
];

type FsTool = (
  spec: TurnContext['options']['sandbox'],
  input: Record<string, unknown>,
) => Promise<ToolOutcome>;
const FS_TOOLS: Record<string, FsTool> = {
  read_file: readFileTool,
  list_files: listFilesTool,
  search: searchTool,
  write_file: writeFileTool,
  edit_file: editFileTool,
};

export interface ToolRunner {
  caps: SandboxCapabilities;
  /** Built from the allowlist: see `buildAgentEnv`. */
  env: Record<string, string>;
  commandTimeoutMs: number;
  /** Called when the gate refuses a command (the turn then ends `policy_blocked`). */
  onRefusal: () => void;
  /** Runs the commands the gate allows. */
  processes: ProcessRunner;
}

async function runCommandTool(
  ctx: TurnContext,
  callId: string,
  command: string,
  runner: ToolRunner,
): Promise<ToolOutcome> {
  const verdict = await consultCommandGate(ctx, command);
  if (verdict.decision !== 'allow') {
    runner.onRefusal();
    const output = refusalText(verdict);
    ctx.emit({
      type: 'command',
      call_id: callId,
      command,
      exit_code: null,
      output,
      status: 'declined',
      duration_ms: null,
    });
    return { output, isError: true };
  }
  const startedAt = Date.now();
  const run = await runSandboxedCommand(runner.processes, ctx.options.sandbox, command, runner.caps, {
    timeoutMs: runner.commandTimeoutMs,
    signal: ctx.signal,
    env: runner.env,
    journal: ctx.options.processGroups,
  });
  const status = run.exitCode === 0 ? 'completed' : 'failed';
  ctx.emit({
    type: 'command',
    call_id: callId,
    command,
    exit_code: run.exitCode,
    output: run.output,
    status,
    duration_ms: Date.now() - startedAt,
  });
  const note = run.timedOut ? `\n[killed after ${runner.commandTimeoutMs} ms]` : '';
  return {
    output: `exit code: ${run.exitCode ?? 'none'}\n${run.output}${note}`,
    isError: run.exitCode !== 0,
  };
}

/** Executes one tool call; failures become error results the model can read, never exceptions. */
export async function executeTool(
  ctx: TurnContext,
  callId: string,
  name: string,
  input: unknown,
  runner: ToolRunner,
): Promise<ToolOutcome> {
  const args = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  try {
    if (name === 'run_command') return await runCommandTool(ctx, callId, String(args.command ?? ''), runner);
    const tool = FS_TOOLS[name];
    if (tool === undefined) return { output: `unknown tool ${name}`, isError: true };
    const outcome = await tool(ctx.options.sandbox, args);
    if (outcome.fileChange !== undefined) ctx.emit({ type: 'file_change', ...outcome.fileChange });
    return outcome;
  } catch (error) {
    return { output: `error: ${describeError(error)}`, isError: true };
  }
}
