import path from 'node:path';
import { isWithin } from '../../core/index.js';
import type { TurnErrorCode } from '../contract.js';
import { priceUsage } from '../pricing.js';
import type { TurnContext } from '../turn.js';
import type { CodexItem, CodexLine } from './schema.js';

const FILE_KINDS: Record<string, 'add' | 'update' | 'delete'> = {
  add: 'add',
  update: 'update',
  delete: 'delete',
};

/** Codex hides the server's error text behind its own; classify by both. */
export function classifyCodexFailure(message: string): TurnErrorCode {
  if (/rate.?limit|429|too many requests|quota/i.test(message)) return 'rate_limited';
  if (/high demand|overloaded|529|503|capacity/i.test(message)) return 'overloaded';
  return 'model_error';
}

/** Turns `codex exec --json` lines into unified events. */
export class CodexStreamMapper {
  finalText: string | null = null;
  completed = false;
  lastError: string | null = null;
  /** Commands seen starting, for the command gate (which can only react after the start). */
  onCommandStarted: ((item: CodexItem) => void) | null = null;

  constructor(
    private readonly ctx: TurnContext,
    private readonly model: string | null,
  ) {}

  handle(line: CodexLine): void {
    switch (line.type) {
      case 'thread.started':
        this.ctx.sessionId = line.thread_id;
        this.ctx.emit({ type: 'session', session_id: line.thread_id });
        return;
      case 'item.started':
        if (line.item.kind === 'command_execution') {
          this.ctx.emit({
            type: 'tool_call',
            call_id: line.item.id,
            name: 'command_execution',
            input: { command: line.item.command ?? '' },
          });
          this.onCommandStarted?.(line.item);
        }
        return;
      case 'item.completed':
        this.onItemCompleted(line.item);
        return;
      case 'turn.completed':
        this.onTurnCompleted(line);
        return;
      case 'turn.failed': {
        const message = line.error?.message ?? this.lastError ?? 'codex reported a failed turn';
        this.completed = true;
        this.ctx.fail(classifyCodexFailure(message), `codex turn failed: ${message}`);
        return;
      }
      case 'error':
        this.lastError = line.message ?? 'unknown codex error';
        this.ctx.emit({ type: 'warning', message: `codex error: ${this.lastError}` });
        return;
      default:
        return;
    }
  }

  private onItemCompleted(item: CodexItem): void {
    switch (item.kind) {
      case 'agent_message':
      case 'assistant_message':
        this.finalText = item.text ?? '';
        this.ctx.emit({ type: 'text', text: this.finalText });
        return;
      case 'reasoning':
        if (item.text) this.ctx.emit({ type: 'reasoning', text: item.text });
        return;
      case 'command_execution': {
        const status =
          item.status === 'declined'
            ? 'declined'
            : item.status === 'completed' && item.exit_code === 0
              ? 'completed'
              : 'failed';
        this.ctx.emit({
          type: 'command',
          call_id: item.id,
          command: item.command ?? '',
          exit_code: item.exit_code ?? null,
          output: item.aggregated_output ?? '',
          status,
        });
        return;
      }
      case 'file_change':
        if (item.status !== 'completed') return;
        for (const change of item.changes ?? []) {
          this.ctx.emit({
            type: 'file_change',
            path: this.relative(change.path),
            kind: FILE_KINDS[change.kind] ?? 'update',
          });
        }
        return;
      case 'error':
        this.ctx.emit({ type: 'warning', message: `codex: ${item.message ?? item.text ?? 'error item'}` });
        return;
      default:
        return;
    }
  }

  private onTurnCompleted(line: Extract<CodexLine, { type: 'turn.completed' }>): void {
    this.completed = true;
    const u = line.usage;
    if (u !== undefined) {
      // OpenAI counts cached tokens inside input_tokens; price them once, at the cached rate.
      this.ctx.recordUsage(
        priceUsage(this.model, {
          input_tokens: Math.max(0, u.input_tokens - u.cached_input_tokens),
          output_tokens: u.output_tokens,
          cache_read_tokens: u.cached_input_tokens,
          cache_write_tokens: u.cache_write_input_tokens,
        }),
      );
    }
    if (this.finalText === null) {
      this.ctx.fail('protocol_error', 'codex completed the turn without a final message');
    } else {
      this.ctx.succeed(this.finalText, null);
    }
  }

  private relative(p: string): string {
    const cwd = this.ctx.options.cwd;
    return path.isAbsolute(p) && isWithin(cwd, p) ? path.relative(cwd, p) : p;
  }
}
