import { describeError } from '../core/index.js';
import {
  authorizeByPermission,
  isBotActor,
  refuseBot,
  type Actor,
  type AuthorizationDecision,
  type AuthorizationOptions,
} from './authorization.js';
import type { PermissionAnswer, PermissionLookup } from './client-types.js';
import { defaultMentionHandle, parseMention, type MentionKind } from './mention.js';
import { isSupportedWebhookEvent, parseWebhookPayload, type SupportedWebhookEvent } from './payloads.js';
import type { RepoRef } from './repo-ref.js';
import { isValidEventName } from './signature.js';
import {
  buildWebhookPrompt,
  misplacedCommandReply,
  refusalReply,
  type WebhookTargetType,
} from './webhook-prompts.js';
import { extractRequest, type WebhookRequest } from './webhook-request.js';

export interface WebhookDecisionOptions extends AuthorizationOptions {
  /** Default `@harness`. */
  mention_handle?: string;
  /**
   * Harness's own login: its comments and reviews never trigger work, so it cannot loop on itself
   * (a reply quoting the command included). Bots (`[bot]` logins, type `Bot`) are ignored anyway.
   */
  bot_login?: string;
  /** Treat "changes requested" on a pull request `bot_login` opened as `address review`. Default true. */
  address_changes_requested?: boolean;
  /** GitHub's permission answer for the author, once the caller asked after `check_permission`. */
  author_permission?: PermissionAnswer;
}

export interface WebhookTask {
  kind: MentionKind;
  repo: RepoRef;
  target: { type: WebhookTargetType; number: number; html_url: string };
  /** The pull request's branch when the payload names it (untrusted: validate before giving it to git). */
  head_ref: string | null;
  /**
   * `owner/repo` holding that branch, when known. Differs from `repo` for a fork: Harness cannot
   * push there, and the fork's code is as untrusted as its text.
   */
  head_repo: string | null;
  requested_by: string;
  /** `key` names the comment, review or issue event whatever delivery carries it (dedup is on it). */
  trigger: {
    event: SupportedWebhookEvent;
    key: string;
    html_url: string;
    comment_id?: number;
    review_id?: number;
  };
  /** The request as written after the mention — untrusted data, never to be run or interpolated. */
  instruction: string;
  /** The agent prompt, with every untrusted string inside `<external_data>`. */
  prompt: string;
}

export type WebhookAction =
  | { type: 'create_task'; reason: string; task: WebhookTask }
  | {
      type: 'refuse';
      reason: string;
      /** The trigger key: a comment is answered once, like it starts at most one task. */
      key: string;
      reply: { repo: RepoRef; issue_number: number; body: string };
    }
  | { type: 'check_permission'; reason: string; repo: RepoRef; login: string }
  | { type: 'ignore'; reason: string }
  /** The permission lookup failed: nothing was started; the same delivery may be retried later. */
  | { type: 'retry_later'; reason: string }
  | { type: 'invalid'; reason: string };

/** What a task kind becomes where it was asked: null when it makes no sense there. */
function taskKind(kind: MentionKind, target: WebhookTargetType): MentionKind | null {
  if (target === 'issue') return kind === 'implement' || kind === 'free_text' ? 'implement' : null;
  return kind === 'implement' ? 'free_text' : kind;
}

/** Write access comes only from GitHub's permission API, never from `author_association`. */
function authorize(request: WebhookRequest, options: WebhookDecisionOptions): AuthorizationDecision | null {
  const bot = refuseBot(request.actor, options);
  if (bot !== null) return bot;
  return options.author_permission === undefined
    ? null
    : authorizeByPermission(request.actor, options.author_permission, request.repo);
}

function isOwn(actor: Actor, options: WebhookDecisionOptions): boolean {
  return options.bot_login !== undefined && actor.login.toLowerCase() === options.bot_login.toLowerCase();
}

/** Activity by Harness itself, or caused by a bot that is not explicitly allowed. */
function selfOrBotSender(request: WebhookRequest, options: WebhookDecisionOptions): string | null {
  if (isOwn(request.actor, options) || isOwn(request.sender, options)) return 'own activity';
  const allowed = (options.allow_bots ?? []).map((b) => b.toLowerCase());
  const { sender } = request;
  if (isBotActor(sender) && !allowed.includes(sender.login.toLowerCase()))
    return `sent by bot ${sender.login}`;
  return null;
}

function buildTask(request: WebhookRequest, kind: MentionKind, instruction: string): WebhookTask {
  const { target } = request;
  const prompt = buildWebhookPrompt({
    kind,
    repo: request.repo,
    target_type: target.type,
    number: target.number,
    requested_by: request.actor.login,
    title: target.title,
    body: target.body,
    // An issue's body is already the description; repeating it as the request adds nothing.
    instruction: request.event === 'issues' ? '' : instruction,
    context: request.context,
    urls: [
      [target.type === 'issue' ? 'Issue' : 'Pull request', target.html_url],
      ...(request.trigger.html_url === target.html_url
        ? []
        : [['Request', request.trigger.html_url] as [string, string]]),
    ],
  });
  return {
    kind,
    repo: request.repo,
    target: { type: target.type, number: target.number, html_url: target.html_url },
    head_ref: request.head_ref,
    head_repo: request.head_repo,
    requested_by: request.actor.login,
    trigger: { event: request.event, ...request.trigger },
    instruction,
    prompt,
  };
}

function decideRequest(request: WebhookRequest, options: WebhookDecisionOptions): WebhookAction {
  const { actor, target } = request;
  const self = selfOrBotSender(request, options);
  if (self !== null) return { type: 'ignore', reason: self };
  const mention = parseMention(request.text, options.mention_handle ?? defaultMentionHandle);
  const command =
    mention ?? (request.implied && { kind: request.implied.kind, text: request.implied.instruction });
  if (command === null) return { type: 'ignore', reason: `no mention in ${request.event}` };
  const auth = authorize(request, options);
  if (auth === null) {
    return {
      type: 'check_permission',
      reason: 'write access needs a permission check',
      repo: request.repo,
      login: actor.login,
    };
  }
  if (!auth.allowed) {
    // Bots get no reply: answering one is how two bots end up talking to each other forever.
    if (auth.bot) return { type: 'ignore', reason: auth.reason };
    const reply = { repo: request.repo, issue_number: target.number, body: refusalReply(actor.login) };
    return { type: 'refuse', reason: auth.reason, key: request.trigger.key, reply };
  }
  const kind = taskKind(command.kind, target.type);
  if (kind === null) {
    if (request.event === 'issues')
      return { type: 'ignore', reason: `${command.kind} command ignored on issue body` };
    const body = misplacedCommandReply(actor.login, command.kind);
    return {
      type: 'refuse',
      reason: `${command.kind} needs a pull request`,
      key: request.trigger.key,
      reply: { repo: request.repo, issue_number: target.number, body },
    };
  }
  return {
    type: 'create_task',
    reason: `${kind} requested on ${target.type} #${target.number}`,
    task: buildTask(request, kind, command.text),
  };
}

/**
 * Decides what a verified webhook delivery asks for, without side effects: create a task, reply
 * with a refusal, ask the caller to look up the author's permission (then call again with
 * `author_permission`), ignore it (with a reason for the log), or reject it as invalid (HTTP 400).
 * Run it only after the signature check and delivery dedup.
 */
export function decideWebhookAction(
  event: string,
  payload: unknown,
  options: WebhookDecisionOptions = {},
): WebhookAction {
  if (!isValidEventName(event)) return { type: 'invalid', reason: 'invalid header x-github-event' };
  if (event === 'ping') return { type: 'ignore', reason: 'ping' };
  if (!isSupportedWebhookEvent(event)) return { type: 'ignore', reason: 'unsupported event' };
  const parsed = parseWebhookPayload(event, payload);
  if (!parsed.ok) return { type: 'invalid', reason: parsed.error };
  const request = extractRequest(parsed, options);
  if ('ignore' in request) return { type: 'ignore', reason: request.ignore };
  return decideRequest(request, options);
}

/**
 * `decideWebhookAction` with the permission lookup done: at most one GitHub call per delivery. A
 * failed lookup starts nothing (fails closed) and answers `retry_later` with the reason.
 */
export async function resolveWebhookAction(
  event: string,
  payload: unknown,
  options: WebhookDecisionOptions,
  lookup: PermissionLookup,
): Promise<Exclude<WebhookAction, { type: 'check_permission' }>> {
  const first = decideWebhookAction(event, payload, options);
  if (first.type !== 'check_permission') return first;
  let author_permission: PermissionAnswer;
  try {
    author_permission = await lookup.getCollaboratorPermission(first.repo, first.login);
  } catch (error) {
    return {
      type: 'retry_later',
      reason: `permission check for ${first.login} failed: ${describeError(error)}`,
    };
  }
  const second = decideWebhookAction(event, payload, { ...options, author_permission });
  return second.type === 'check_permission'
    ? { type: 'ignore', reason: 'permission check inconclusive' }
    : second;
}
