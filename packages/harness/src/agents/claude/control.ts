import { assertWritable, resolveInsideWorkspace } from '../../sandbox/index.js';
import { describeError } from '../../core/index.js';
import { consultCommandGate, refusalOf, refusalText } from '../command-gate.js';
import type { TurnContext } from '../turn.js';
import type { ClaudeControlRequest } from './schema.js';

/** The callback id Harness registers for its PreToolUse hook on Bash. */
export const GATE_HOOK_ID = 'harness_command_gate';
const FILE_WRITE_TOOLS: ReadonlySet<string> = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

export function initializeRequest(withGate: boolean): Record<string, unknown> {
  return {
    type: 'control_request',
    request_id: 'harness_init',
    request: {
      subtype: 'initialize',
      // A hook runs in every permission mode, bypassPermissions included; can_use_tool does not.
      // It sees every tool, not only Bash: once a command is refused, nothing else may run either.
      hooks: withGate ? { PreToolUse: [{ hookCallbackIds: [GATE_HOOK_ID] }] } : {},
    },
  };
}

/** Asks the CLI to stop the turn it is in (the control protocol's interrupt). */
export function interruptRequest(): Record<string, unknown> {
  return { type: 'control_request', request_id: 'harness_interrupt', request: { subtype: 'interrupt' } };
}

export function userMessage(prompt: string): Record<string, unknown> {
  return {
    type: 'user',
    message: { role: 'user', content: prompt },
    parent_tool_use_id: null,
    session_id: '',
  };
}

function success(requestId: string, response: unknown): Record<string, unknown> {
  return { type: 'control_response', response: { subtype: 'success', request_id: requestId, response } };
}

/**
 * A refusal, which also ends the turn: `continue: false` makes the CLI stop after the hook instead
 * of handing the denial back to the model, so a model that would keep going gets no further request
 * (the interrupt Harness sends next can arrive after the CLI has already asked the model again).
 */
function deny(reason: string): unknown {
  return {
    continue: false,
    stopReason: reason,
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: reason,
    },
  };
}

/**
 * Answers the PreToolUse hook: Bash commands from the command gate; other tools take their usual
 * course (no opinion) until a command has been refused, after which nothing runs at all.
 */
async function answerGate(
  ctx: TurnContext,
  input: Record<string, unknown>,
  gateDenied: Set<string>,
  toolUseIdHint: unknown,
): Promise<unknown> {
  const toolUseId = input.tool_use_id ?? toolUseIdHint;
  if (input.tool_name !== undefined && input.tool_name !== 'Bash') {
    const over = refusalOf(ctx) !== null || ctx.signal.aborted;
    return over ? deny('Not run: the turn is over, the command policy refused an earlier command') : {};
  }
  const toolInput = (input.tool_input ?? {}) as Record<string, unknown>;
  const verdict = await consultCommandGate(ctx, String(toolInput.command ?? ''));
  if (verdict.decision === 'allow') {
    return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow' } };
  }
  if (typeof toolUseId === 'string') gateDenied.add(toolUseId);
  return deny(refusalText(verdict));
}

/** Permission prompts: file writes follow the sandbox mode and path guards, the rest is allowed. */
function answerCanUseTool(ctx: TurnContext, request: Record<string, unknown>): unknown {
  const tool = String(request.tool_name ?? '');
  const input = (request.input ?? {}) as Record<string, unknown>;
  if (FILE_WRITE_TOOLS.has(tool)) {
    const file = String(input.file_path ?? input.notebook_path ?? '');
    try {
      assertWritable(ctx.options.sandbox, resolveInsideWorkspace(ctx.options.sandbox.workspace, file));
    } catch (error) {
      return { behavior: 'deny', message: describeError(error) };
    }
  }
  return { behavior: 'allow', updatedInput: input };
}

/** Handles one control request from the CLI; returns the line to send back, if any. */
export async function answerControlRequest(
  ctx: TurnContext,
  line: ClaudeControlRequest,
  gateDenied: Set<string>,
): Promise<Record<string, unknown> | null> {
  const { request } = line;
  if (request.subtype === 'hook_callback' && request.callback_id === GATE_HOOK_ID) {
    const input = (request.input ?? {}) as Record<string, unknown>;
    return success(line.request_id, await answerGate(ctx, input, gateDenied, request.tool_use_id));
  }
  if (request.subtype === 'can_use_tool' && (refusalOf(ctx) !== null || ctx.signal.aborted)) {
    return success(line.request_id, {
      behavior: 'deny',
      message: 'Not run: the turn is over',
      interrupt: true,
    });
  }
  if (request.subtype === 'can_use_tool') return success(line.request_id, answerCanUseTool(ctx, request));
  return {
    type: 'control_response',
    response: {
      subtype: 'error',
      request_id: line.request_id,
      error: `unsupported control request ${request.subtype}`,
    },
  };
}
