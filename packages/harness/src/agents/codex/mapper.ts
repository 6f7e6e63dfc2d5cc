import path from 'node:path';
import { isWithin } from '../../core/index.js';
import { apiRetryEvent, codexRetry } from '../api-retry.js';
import type { TurnErrorCode } from '../contract.js';
import { priceUsage } from '../pricing.js';
import type { TurnContext } from '../turn.js';
import { unwrapShell } from './approvals.js';
import {
  ErrorNotificationSchema,
  ItemNotificationSchema,
  TokenUsageSchema,
  TurnCompletedSchema,
  type ThreadItem,
  type TokenUsage,
  type TurnError,
} from './schema.js';

const FILE_KINDS: Record<string, 'add' | 'update' | 'delete'> = {
  add: 'add',
  update: 'update',
  delete: 'delete',
};

/** The HTTP status Codex saw, when its error info carries one (`{ httpConnectionFailed: { httpStatusCode } }`). */
function httpStatusOf(info: unknown): number | null {
  if (info === null || typeof info !== 'object') return null;
  for (const detail of Object.values(info as Record<string, unknown>)) {
    const status = (detail as { httpStatusCode?: unknown } | null)?.httpStatusCode;
    if (typeof status === 'number') return status;
  }
  return null;
}

/**
 * Classifies a failed turn by Codex's structured error info (which keeps the HTTP status that its
 * message hides: a 500 is reported as "high demand"), falling back to the message.
 */
export function classifyCodexFailure(error: Pick<TurnError, 'message' | 'codexErrorInfo'>): {
  code: TurnErrorCode;
  httpStatus: number | null;
} {
  const info = error.codexErrorInfo;
  const httpStatus = httpStatusOf(info);
  if (httpStatus === 429 || info === 'usageLimitExceeded') return { code: 'rate_limited', httpStatus };
  if (httpStatus === 529 || httpStatus === 503 || info === 'serverOverloaded') {
    return { code: 'overloaded', httpStatus };
  }
  if (httpStatus !== null || info === 'internalServerError') {
    return { code: 'model_error', httpStatus: httpStatus ?? (info === 'internalServerError' ? 500 : null) };
  }
  if (/rate.?limit|too many requests|quota/i.test(error.message)) return { code: 'rate_limited', httpStatus };
  if (/overloaded|capacity/i.test(error.message)) return { code: 'overloaded', httpStatus };
  return { code: 'model_error', httpStatus };
}

/** Turns `codex app-server` notifications for one turn into unified events. */
export class CodexEventMapper {
  finalText: string | null = null;
  completed = false;
  private lastError: string | null = null;
  /** Called when a command item ends, so the approvals can tell one that ran without asking. */
  onCommandFinished: ((item: ThreadItem) => void) | null = null;
  /** Commands already reported as declined (by the refusal, before Codex's own item arrives). */
  private readonly declined = new Set<string>();

  constructor(
    private readonly ctx: TurnContext,
    private readonly model: string | null,
  ) {}

  handle(method: string, params: unknown): void {
    switch (method) {
      case 'item/started': {
        const { item } = ItemNotificationSchema.parse(params);
        if (item.type === 'commandExecution') {
          const command = unwrapShell(item.command ?? '');
          this.ctx.emit({
            type: 'tool_call',
            call_id: item.id,
            name: 'command_execution',
            input: { command },
          });
        }
        return;
      }
      case 'item/completed':
        this.onItemCompleted(ItemNotificationSchema.parse(params).item);
        return;
      case 'thread/tokenUsage/updated':
        this.onUsage(TokenUsageSchema.parse(params));
        return;
      case 'error': {
        const { error, willRetry } = ErrorNotificationSchema.parse(params);
        if (willRetry) {
          this.ctx.emit(
            apiRetryEvent(
              codexRetry(error.message, error.additionalDetails ?? null, httpStatusOf(error.codexErrorInfo)),
            ),
          );
          return;
        }
        this.lastError = error.message;
        this.ctx.emit({ type: 'warning', message: `codex error: ${error.message}` });
        return;
      }
      case 'turn/completed':
        this.onTurnCompleted(TurnCompletedSchema.parse(params).turn);
        return;
      default:
        return;
    }
  }

  /**
   * Reports a command the gate refused, at once: the turn is interrupted right after, and Codex's
   * own item for it may come after the turn is over (under load it does), or never.
   */
  commandDeclined(itemId: string, command: string): void {
    if (this.declined.has(itemId)) return;
    this.declined.add(itemId);
    this.ctx.emit({
      ...{ type: 'command', call_id: itemId, command, exit_code: null, output: '' },
      ...{ status: 'declined', duration_ms: null },
    });
  }

  /** Why the process ended early, for the `process_failed` message. */
  get lastErrorMessage(): string | null {
    return this.lastError;
  }

  private onItemCompleted(item: ThreadItem): void {
    switch (item.type) {
      case 'agentMessage':
        this.finalText = item.text ?? '';
        this.ctx.emit({ type: 'text', text: this.finalText });
        return;
      case 'reasoning': {
        const text = (item.summary ?? []).join('\n');
        if (text) this.ctx.emit({ type: 'reasoning', text });
        return;
      }
      case 'commandExecution': {
        if (this.declined.has(item.id)) return;
        const status =
          item.status === 'declined'
            ? 'declined'
            : item.status === 'completed' && item.exitCode === 0
              ? 'completed'
              : 'failed';
        this.ctx.emit({
          type: 'command',
          call_id: item.id,
          command: unwrapShell(item.command ?? ''),
          exit_code: item.exitCode ?? null,
          output: item.aggregatedOutput ?? '',
          status,
          duration_ms: item.durationMs ?? null,
        });
        this.onCommandFinished?.(item);
        return;
      }
      case 'fileChange':
        if (item.status !== 'completed') return;
        for (const change of item.changes ?? []) {
          this.ctx.emit({
            type: 'file_change',
            path: this.relative(change.path),
            kind: FILE_KINDS[change.kind.type] ?? 'update',
          });
        }
        return;
      default:
        return;
    }
  }

  private onUsage(update: TokenUsage): void {
    const { last } = update.tokenUsage;
    // OpenAI counts cached tokens inside input tokens; price them once, at the cached rate.
    this.ctx.recordUsage(
      priceUsage(this.model, {
        input_tokens: Math.max(0, last.inputTokens - last.cachedInputTokens),
        output_tokens: last.outputTokens,
        cache_read_tokens: last.cachedInputTokens,
        cache_write_tokens: last.cacheWriteInputTokens,
      }),
    );
  }

  private onTurnCompleted(turn: { status: string; error?: TurnError | null | undefined }): void {
    this.completed = true;
    if (turn.status === 'completed') {
      if (this.finalText === null)
        this.ctx.fail('protocol_error', 'codex completed the turn without a final message');
      else this.ctx.succeed(this.finalText, null);
      return;
    }
    if (turn.status === 'interrupted') {
      this.ctx.fail('cancelled', 'codex interrupted the turn');
      return;
    }
    const error = turn.error ?? {
      message: this.lastError ?? 'codex reported a failed turn',
      codexErrorInfo: null,
    };
    const { code, httpStatus } = classifyCodexFailure(error);
    this.ctx.fail(code, `codex turn failed: ${error.message}`, { http_status: httpStatus });
  }

  private relative(p: string): string {
    const cwd = this.ctx.options.cwd;
    return path.isAbsolute(p) && isWithin(cwd, p) ? path.relative(cwd, p) : p;
  }
}
