import { roundUsd } from '@harness/protocol';
import { apiRetryEvent } from '../api-retry.js';
import type { TurnErrorCode } from '../contract.js';
import { priceUsage } from '../pricing.js';
import type { TurnContext } from '../turn.js';
import { CLAUDE_PLUGIN_NAME, type TurnSkillRun } from '../skills.js';
import type { ClaudeLine, ClaudeResult, ContentBlock } from './schema.js';

const WRITE_TOOLS: ReadonlySet<string> = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

interface PendingTool {
  name: string;
  input: Record<string, unknown>;
  /** When the request was read: Claude Code reports no duration, so it is measured to the result. */
  requestedAt: number;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((c) => (typeof c === 'object' && c !== null && 'text' in c ? String(c.text) : ''))
      .join('');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** Turns Claude Code stream-json lines into unified events and classifies the result line. */
export class ClaudeStreamMapper {
  private readonly tools = new Map<string, PendingTool>();
  private readonly pricedMessages = new Set<string>();
  /** tool_use ids the command gate refused, to tell a policy block from other denials. */
  readonly gateDenied = new Set<string>();
  private model: string | null;
  resultSeen = false;

  constructor(
    private readonly ctx: TurnContext,
    model: string | null,
    private readonly skills: TurnSkillRun | null = null,
  ) {
    this.model = model;
  }

  handle(line: ClaudeLine): void {
    switch (line.type) {
      case 'system':
        if (line.subtype === 'init' && line.session_id !== undefined) {
          this.ctx.sessionId = line.session_id;
          this.model = line.model ?? this.model;
          this.ctx.emit({ type: 'session', session_id: line.session_id });
          if (this.skills !== null && line.skills !== undefined)
            this.ctx.emit({ type: 'skills_loaded', skills: line.skills });
        }
        if (line.subtype === 'api_retry' && line.attempt !== undefined) {
          this.ctx.emit(
            apiRetryEvent({
              attempt: line.attempt,
              max_retries: line.max_retries ?? null,
              delay_ms: line.retry_delay_ms === undefined ? null : Math.round(line.retry_delay_ms),
              status: line.error_status ?? null,
              error: line.error ?? null,
            }),
          );
        }
        return;
      case 'assistant':
        this.onAssistant(line);
        return;
      case 'user':
        if (Array.isArray(line.message.content)) {
          for (const block of line.message.content) this.onUserBlock(block, line.tool_use_result);
        }
        return;
      case 'result':
        this.onResult(line);
        return;
      default:
        return;
    }
  }

  private onAssistant(line: Extract<ClaudeLine, { type: 'assistant' }>): void {
    const { message } = line;
    for (const block of message.content) {
      if (block.type === 'text' && 'text' in block) this.ctx.emit({ type: 'text', text: block.text });
      else if (block.type === 'thinking' && 'thinking' in block && block.thinking !== '') {
        this.ctx.emit({ type: 'reasoning', text: block.thinking });
      } else if (block.type === 'tool_use' && 'id' in block && 'name' in block) {
        const input = (typeof block.input === 'object' && block.input !== null ? block.input : {}) as Record<
          string,
          unknown
        >;
        this.tools.set(block.id, { name: block.name, input, requestedAt: Date.now() });
        this.ctx.emit({ type: 'tool_call', call_id: block.id, name: block.name, input: block.input });
        if (block.name === 'Skill') this.onSkillTool(input);
      }
    }
    // One API message is printed as one line per content block, each repeating the usage.
    const id = message.id;
    if (message.usage !== undefined && (id === undefined || !this.pricedMessages.has(id))) {
      if (id !== undefined) this.pricedMessages.add(id);
      const u = message.usage;
      this.ctx.recordUsage(
        priceUsage(message.model ?? this.model, {
          input_tokens: u.input_tokens,
          output_tokens: u.output_tokens,
          cache_read_tokens: u.cache_read_input_tokens ?? 0,
          cache_write_tokens: u.cache_creation_input_tokens ?? 0,
        }),
      );
    }
  }

  /** The model opened a skill with Claude Code's Skill tool: `harness:<name>` is one of the run's. */
  private onSkillTool(input: Record<string, unknown>): void {
    const called = typeof input.skill === 'string' ? input.skill : '';
    const prefix = `${CLAUDE_PLUGIN_NAME}:`;
    if (this.skills !== null && called.startsWith(prefix))
      this.skills.usedByModel(called.slice(prefix.length));
  }

  private onUserBlock(block: ContentBlock, structured: unknown): void {
    if (block.type !== 'tool_result' || !('tool_use_id' in block)) return;
    const output = textOf(block.content);
    const isError = block.is_error === true;
    this.ctx.emit({ type: 'tool_result', call_id: block.tool_use_id, is_error: isError, output });
    const tool = this.tools.get(block.tool_use_id);
    if (tool === undefined) return;
    if (tool.name === 'Bash') {
      const declined =
        this.gateDenied.has(block.tool_use_id) ||
        /hook error|permission|requires approval/i.test(isError ? output : '');
      const exit = /exit code (\d+)/i.exec(output);
      this.ctx.emit({
        type: 'command',
        call_id: block.tool_use_id,
        command: String(tool.input.command ?? ''),
        exit_code: declined ? null : isError ? (exit ? Number(exit[1]) : null) : 0,
        output,
        status: declined ? 'declined' : isError ? 'failed' : 'completed',
        duration_ms: Date.now() - tool.requestedAt,
      });
    } else if (WRITE_TOOLS.has(tool.name) && !isError) {
      const file = String(tool.input.file_path ?? tool.input.notebook_path ?? '');
      const created =
        typeof structured === 'object' &&
        structured !== null &&
        (structured as { type?: unknown }).type === 'create';
      if (file !== '') this.ctx.emit({ type: 'file_change', path: file, kind: created ? 'add' : 'update' });
    }
  }

  private onResult(line: ClaudeResult): void {
    this.resultSeen = true;
    if (line.session_id !== undefined) this.ctx.sessionId = line.session_id;
    // Claude prices real models itself; never report less than it does.
    const reported = line.total_cost_usd ?? 0;
    if (reported > this.ctx.usage.cost_usd) {
      const delta = roundUsd(reported - this.ctx.usage.cost_usd);
      this.ctx.recordUsage({
        input_tokens: 0,
        output_tokens: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: delta,
      });
    }
    const failure = classifyResult(line, this.gateDenied);
    if (failure === null) this.ctx.succeed(line.result ?? '', line.num_turns ?? null);
    else this.ctx.fail(failure.code, failure.message, { http_status: line.api_error_status ?? null });
  }
}

/**
 * Exit code 0 and `subtype: success` do not mean success: `is_error`, error subtypes, API errors
 * and permission denials are all failures.
 */
export function classifyResult(
  line: ClaudeResult,
  gateDenied: ReadonlySet<string>,
): { code: TurnErrorCode; message: string } | null {
  const detail = line.result ?? line.errors?.join('; ') ?? line.subtype;
  const status = line.api_error_status ?? null;
  if (status !== null || /^API Error/i.test(line.result ?? '')) {
    const code: TurnErrorCode =
      status === 429
        ? 'rate_limited'
        : status === 529 || /overloaded/i.test(detail)
          ? 'overloaded'
          : 'model_error';
    return { code, message: `model API error${status === null ? '' : ` ${status}`}: ${detail}` };
  }
  if (line.subtype === 'error_max_turns')
    return { code: 'max_turns', message: `claude reached its turn limit: ${detail}` };
  if (line.subtype === 'error_max_budget_usd')
    return { code: 'budget_exceeded', message: `claude reached its budget: ${detail}` };
  if (line.is_error || line.subtype.startsWith('error')) {
    return { code: 'model_error', message: `claude reported failure (${line.subtype}): ${detail}` };
  }
  if (line.permission_denials.length > 0) {
    const names = line.permission_denials.map((d) => d.tool_name).join(', ');
    const byGate = line.permission_denials.every(
      (d) => d.tool_use_id !== undefined && gateDenied.has(d.tool_use_id),
    );
    return byGate
      ? { code: 'policy_blocked', message: `the command policy refused: ${names}` }
      : { code: 'permission_denied', message: `claude was denied permission for: ${names}` };
  }
  if (gateDenied.size > 0)
    return { code: 'policy_blocked', message: `the command policy refused ${gateDenied.size} command(s)` };
  return null;
}
