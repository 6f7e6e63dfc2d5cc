import type { TaskCreate } from '@harness/protocol';
import { ErrorCodes, type Git, HarnessError, type Logger } from '../../core/index.js';
import {
  type GithubClient,
  repoSlug,
  resolveWebhookAction,
  type WebhookAction,
  type WebhookTask,
} from '../../github/index.js';
import type { Store } from '../../store/index.js';
import type { ProjectRegistry } from '../projects/project-registry.js';
import type { TaskService } from '../tasks/task-service.js';
import type { StoreDeliveryDeduplicator } from './delivery-dedup.js';
import { projectForRepo } from './project-match.js';
import type { TaskReplies } from './task-replies.js';

export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface WebhookProcessorDeps {
  tasks: TaskService;
  store: Store;
  projects: ProjectRegistry;
  github: GithubClient;
  git: Git;
  dedup: StoreDeliveryDeduplicator;
  replies: TaskReplies;
  logger: Logger;
  mentionHandle: string;
}

/** Task origin for webhook tasks; the external id is the delivery, so a crash mid-way is recoverable. */
export const webhookTaskSource = 'github_webhook';

const retryAfterSeconds = 60;

/** What a verified delivery leads to: dedup, the decision, then a task (and reply) or a refusal. */
export class WebhookProcessor {
  constructor(private readonly deps: WebhookProcessorDeps) {}

  async process(event: string, deliveryId: string, payload: unknown): Promise<WebhookResult> {
    const { dedup } = this.deps;
    if (!(await dedup.remember(deliveryId, event))) {
      const outcome = await dedup.outcome(deliveryId);
      const reason =
        outcome === null
          ? `delivery ${deliveryId} is already being processed`
          : `delivery ${deliveryId} was already processed`;
      return { status: 200, body: { status: 'duplicate', delivery_id: deliveryId, reason, outcome } };
    }
    try {
      const action = await resolveWebhookAction(event, payload, this.#decisionOptions(), this.deps.github);
      if (action.type === 'invalid') {
        await dedup.forget(deliveryId);
        return { status: 400, body: { error: { code: ErrorCodes.invalidRequest, message: action.reason } } };
      }
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

  #decisionOptions() {
    return { mention_handle: this.deps.mentionHandle };
  }

  async #act(
    action: Exclude<WebhookAction, { type: 'check_permission' | 'invalid' }>,
    deliveryId: string,
  ): Promise<{ result: WebhookResult; outcome: string }> {
    if (action.type === 'ignore') {
      return {
        result: { status: 200, body: { status: 'ignored', reason: action.reason } },
        outcome: `ignored: ${action.reason}`,
      };
    }
    if (action.type === 'refuse') {
      const { repo, issue_number, body } = action.reply;
      await this.deps.github.createIssueComment(repo, issue_number, body).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, delivery_id: deliveryId }, 'posting the refusal failed');
      });
      return {
        result: { status: 202, body: { status: 'refused', reason: action.reason } },
        outcome: `refused: ${action.reason}`,
      };
    }
    return this.#createTask(action.task, action.reason, deliveryId);
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
    // A crash after the task was created but before the delivery was settled left the task behind.
    const existing = await this.deps.store.tasks.findByExternalId(webhookTaskSource, deliveryId);
    const task =
      existing ??
      (await this.deps.tasks.create(taskInput(request, project), {
        source: webhookTaskSource,
        external_id: deliveryId,
      }));
    if (existing === null) {
      await this.deps.replies.announce(
        task.id,
        { repo: request.repo, issue_number: request.target.number },
        reason,
      );
    }
    return {
      result: { status: 202, body: { status: 'accepted', reason, task_id: task.id } },
      outcome: `task ${task.id}`,
    };
  }
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
