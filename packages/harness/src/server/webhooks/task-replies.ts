import type { Event } from '@harness/protocol';
import { describeError, type Logger } from '../../core/index.js';
import { type GithubClient, type RepoRef, repoSlug, tryParseRepoSlug } from '../../github/index.js';
import type { EventLog } from '../../observe/index.js';

/** The event that ties a task to the comment announcing it, so the outcome can be written there. */
export const replyEventKind = 'github.reply';

export interface ReplyTarget {
  repo: RepoRef;
  issue_number: number;
}

interface ReplyData {
  repo: string;
  issue_number: number;
  comment_id: number;
}

export interface TaskRepliesOptions {
  github: GithubClient;
  events: EventLog;
  logger: Logger;
  /** Where `/tasks/<id>` can be opened; without it replies name the task id only. */
  publicUrl: string | null;
}

export interface TaskOutcome {
  state: string;
  error: { code?: string; message?: string } | null;
  pr_url: string | null;
  grade: string | null;
}

/**
 * Replies on GitHub for webhook tasks: "on it" when the task is created, then the same comment
 * edited with the outcome when the task finishes. Replies never contain the mention handle, so
 * Harness cannot trigger itself.
 */
export class TaskReplies {
  constructor(private readonly options: TaskRepliesOptions) {}

  /** Starts editing replies as tasks finish; returns the unsubscribe function. */
  listen(): () => void {
    return this.options.events.onAppend((event) => {
      if (event.kind === 'task.finished' && event.task_id) void this.#finished(event);
    });
  }

  taskRef(taskId: string): string {
    const { publicUrl } = this.options;
    return publicUrl === null ? `\`${taskId}\`` : `[\`${taskId}\`](${publicUrl}/tasks/${taskId})`;
  }

  /** Posts "on it" and records the comment on the task; a failed post is logged, not fatal. */
  async announce(taskId: string, target: ReplyTarget, what: string): Promise<number | null> {
    const body = `Harness is on it: task ${this.taskRef(taskId)} (${what}). I will update this comment when it finishes.`;
    try {
      const comment = await this.options.github.createIssueComment(target.repo, target.issue_number, body);
      const data: ReplyData = {
        repo: repoSlug(target.repo),
        issue_number: target.issue_number,
        comment_id: comment.id,
      };
      await this.options.events.append({ kind: replyEventKind, task_id: taskId, data });
      // A task can finish before its announcement is recorded (an agent that cannot start fails it
      // at once); then no later event edits the reply, so the outcome is written now.
      const [finished] = await this.options.events.query({
        task_id: taskId,
        kinds: ['task.finished'],
        limit: 1,
        order: 'asc',
      });
      if (finished) await this.#finished(finished);
      return comment.id;
    } catch (error) {
      this.options.logger.warn({ err: error, task_id: taskId }, 'posting the webhook reply failed');
      return null;
    }
  }

  async #finished(event: Event): Promise<void> {
    const taskId = event.task_id!;
    try {
      const [reply] = await this.options.events.query({
        task_id: taskId,
        kinds: [replyEventKind],
        limit: 1,
        order: 'desc',
      });
      const data = reply?.data as ReplyData | undefined;
      const repo = data ? tryParseRepoSlug(data.repo) : null;
      if (!data || !repo) return;
      const body = outcomeBody(taskId, this.taskRef(taskId), event.data as TaskOutcome);
      await this.options.github.updateIssueComment(repo, data.comment_id, body);
    } catch (error) {
      this.options.logger.warn(
        { task_id: taskId, error: describeError(error) },
        'updating the webhook reply with the outcome failed',
      );
    }
  }
}

function outcomeBody(taskId: string, ref: string, outcome: TaskOutcome): string {
  const lines = [
    `Harness task ${ref} ${outcome.state === 'done' ? 'is done' : `ended: **${outcome.state}**`}.`,
  ];
  if (outcome.pr_url) lines.push(`Pull request: ${outcome.pr_url}`);
  if (outcome.grade) lines.push(`Grade: ${outcome.grade}`);
  if (outcome.error?.message) {
    // Error text can quote agent output; a code span keeps it from rendering as markup or mentions.
    const message = outcome.error.message.replace(/`/g, "'").replace(/\s+/g, ' ').slice(0, 500);
    lines.push(`Error${outcome.error.code ? ` (${outcome.error.code})` : ''}: \`${message}\``);
  }
  if (outcome.state !== 'done') lines.push(`Details: task \`${taskId}\` in Harness.`);
  return lines.join('\n\n');
}
