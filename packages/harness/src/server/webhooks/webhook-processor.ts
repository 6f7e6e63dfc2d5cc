import type { TaskCreate } from '@harness/protocol';
import { ErrorCodes, type Git, HarnessError, type Logger } from '../../core/index.js';
import {
  type GithubClient,
  type PermissionLookup,
  repoSlug,
  resolveWebhookAction,
  type WebhookAction,
  type WebhookTask,
} from '../../github/index.js';
import type { WebhookTriggerRecord } from '../../store/index.js';
import type { ProjectRegistry } from '../../projects/index.js';
import type { TaskService } from '../../tasks/index.js';
import type { StoreDeliveryDeduplicator } from './delivery-dedup.js';
import { projectForRepo } from './project-match.js';
import type { TaskReplies } from './task-replies.js';
import { duplicateReason, type TriggerClaims, webhookTaskSource } from './trigger-claims.js';

export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface WebhookProcessorDeps {
  tasks: TaskService;
  projects: ProjectRegistry;
  /** Posts refusals. */
  github: GithubClient;
  /** Answers "may this login write to this repository?" (GitHub's permission API, cached). */
  permissions: PermissionLookup;
  git: Git;
  dedup: StoreDeliveryDeduplicator;
  claims: TriggerClaims;
  replies: TaskReplies;
  logger: Logger;
  mentionHandle: string;
  /**
   * Settles once start-up work is done (claims recovered, Harness's own login looked up); no
   * delivery is decided before. Resolves to that login, or undefined when it is unknown.
   */
  ready: Promise<string | undefined>;
  /** Keeps what a delivery says about a project's quality (failed checks, changes requested). */
  observe?: (event: string, payload: unknown) => Promise<void>;
}

const retryAfterSeconds = 60;

/** What a verified delivery leads to: dedup, the decision, then a task (and reply) or a refusal. */
export class WebhookProcessor {
  constructor(private readonly deps: WebhookProcessorDeps) {}

  async process(event: string, deliveryId: string, payload: unknown): Promise<WebhookResult> {
    const { dedup } = this.deps;
    const botLogin = await this.deps.ready;
    if (!(await dedup.remember(deliveryId, event))) {
      const outcome = await dedup.outcome(deliveryId);
      const reason =
        outcome === null
          ? `delivery ${deliveryId} is already being processed`
          : `delivery ${deliveryId} was already processed`;
      return { status: 200, body: { status: 'duplicate', delivery_id: deliveryId, reason, outcome } };
    }
    await this.deps.observe?.(event, payload);
    try {
      const options = { mention_handle: this.deps.mentionHandle, bot_login: botLogin };
      const action = await resolveWebhookAction(event, payload, options, this.deps.permissions);
      if (action.type === 'invalid') {
        await dedup.forget(deliveryId);
        return { status: 400, body: { error: { code: ErrorCodes.invalidRequest, message: action.reason } } };
      }
      if (action.type === 'retry_later') return await this.#retryLater(action.reason, deliveryId, event);
      const { result, outcome } = await this.#act(action, deliveryId);
      await dedup.settle(deliveryId, outcome);
      this.deps.logger.info({ delivery_id: deliveryId, event, outcome }, 'webhook delivery handled');
      return result;
    } catch (error) {
      // Not done: forget the id so GitHub's redelivery is handled instead of answered "duplicate".
      await dedup.forget(deliveryId).catch(() => undefined);
      if (error instanceof HarnessError && error.code === ErrorCodes.queueFull) {
        return {
          status: 503,
          body: { error: { code: error.code, message: `${error.message}; redeliver later` } },
          headers: { 'retry-after': String(retryAfterSeconds) },
        };
      }
      throw error;
    }
  }

  /** Nothing started (fail closed); the delivery is forgotten so GitHub's redelivery is handled. */
  async #retryLater(reason: string, deliveryId: string, event: string): Promise<WebhookResult> {
    await this.deps.dedup.forget(deliveryId);
    this.deps.logger.warn({ delivery_id: deliveryId, event, reason }, 'webhook delivery not acted on');
    return {
      status: 503,
      body: {
        error: { code: ErrorCodes.unavailable, message: `${reason}; nothing was started, redeliver later` },
      },
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  }

  async #act(
    action: Exclude<WebhookAction, { type: 'check_permission' | 'invalid' | 'retry_later' }>,
    deliveryId: string,
  ): Promise<{ result: WebhookResult; outcome: string }> {
    if (action.type === 'ignore') {
      return {
        result: { status: 200, body: { status: 'ignored', reason: action.reason } },
        outcome: `ignored: ${action.reason}`,
      };
    }
    if (action.type === 'refuse') return this.#refuse(action, deliveryId);
    return this.#createTask(action.task, action.reason, deliveryId);
  }

  /** One refusal per comment: a redelivery under a new id is not answered again. */
  async #refuse(
    action: Extract<WebhookAction, { type: 'refuse' }>,
    deliveryId: string,
  ): Promise<{ result: WebhookResult; outcome: string }> {
    const claim = await this.deps.claims.claim(action.key, deliveryId);
    if (!claim.claimed) return duplicate(claim.holder);
    const { repo, issue_number, body } = action.reply;
    await this.deps.github.createIssueComment(repo, issue_number, body).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, delivery_id: deliveryId }, 'posting the refusal failed');
    });
    await this.deps.claims.refused(action.key);
    return {
      result: { status: 202, body: { status: 'refused', reason: action.reason } },
      outcome: `refused: ${action.reason}`,
    };
  }

  async #createTask(
    request: WebhookTask,
    reason: string,
    deliveryId: string,
  ): Promise<{ result: WebhookResult; outcome: string }> {
    const project = await projectForRepo(this.deps.projects, this.deps.git, request.repo);
    if (project === null) {
      const why = `no project is a checkout of ${repoSlug(request.repo)}`;
      return {
        result: { status: 200, body: { status: 'ignored', reason: why } },
        outcome: `ignored: ${why}`,
      };
    }
    const { key } = request.trigger;
    const claim = await this.deps.claims.claim(key, deliveryId);
    if (!claim.claimed) return duplicate(claim.holder);
    let taskId: string;
    try {
      const input = taskInput(request, project);
      taskId = (await this.deps.tasks.create(input, { source: webhookTaskSource, external_id: key })).id;
    } catch (error) {
      await this.deps.claims.release(key, deliveryId);
      throw error;
    }
    await this.deps.claims.settle(key, taskId);
    await this.deps.replies.announce(
      taskId,
      { repo: request.repo, issue_number: request.target.number },
      reason,
    );
    return {
      result: { status: 202, body: { status: 'accepted', reason, task_id: taskId } },
      outcome: `task ${taskId}`,
    };
  }
}

function duplicate(holder: WebhookTriggerRecord): { result: WebhookResult; outcome: string } {
  const reason = duplicateReason(holder);
  return {
    result: { status: 200, body: { status: 'duplicate', reason, task_id: holder.task_id } },
    outcome: `duplicate: ${reason}`,
  };
}

const descriptionLimit = 10_000;

/**
 * Issue and pull-request tasks let the pipeline fetch the text itself and continue on the PR's
 * branch; the request written after the mention rides along as the (wrapped) requester's note.
 */
export function taskInput(request: WebhookTask, project: string): TaskCreate {
  const note = request.instruction.trim();
  const labelled = request.kind === 'implement' ? note : `${request.kind.replace('_', ' ')}: ${note}`.trim();
  const description = labelled.slice(0, descriptionLimit);
  const target =
    request.target.type === 'issue' ? { issue: request.target.number } : { pr: request.target.number };
  return { ...target, project, priority: 0, ...(description ? { description } : {}) };
}
