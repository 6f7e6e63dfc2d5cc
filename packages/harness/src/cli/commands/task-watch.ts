import { type Task, taskSchema, terminalTaskStates } from '@harness/protocol';
import { ErrorCodes, HarnessError, isHarnessError } from '../../core/index.js';
import { demoPrinter } from '../demo/demo-printer.js';
import { colorsFor } from '../output.js';
import type { ServerClient } from './server-client.js';

/** How long `watch` keeps trying to reach a server that went away before it gives up. */
const reconnectWindowMs = 120_000;

/**
 * Follows a task until it ends: its history, then live, printed as the demo prints it (on stderr;
 * with `json`, one `{"event": …}` line per event on stdout). A dropped connection or a restarted
 * server is reconnected with the last sequence number seen, so no event is repeated or lost. A task
 * waiting for input is said once, and followed on. Resolves to the task as it ended.
 */
export async function watchTask(client: ServerClient, taskId: string, json: boolean): Promise<Task> {
  const c = colorsFor(process.stderr);
  const print = json
    ? (event: unknown) => process.stdout.write(`${JSON.stringify({ event })}\n`)
    : demoPrinter(taskId, process.stderr);
  // Fails at once, saying so, when there is no server or no such task; only a server that was
  // reached and went away is waited for.
  await client.rest('GET', `/tasks/${encodeURIComponent(taskId)}`, undefined, taskId);
  let last = 0;
  let failingSince: number | null = null;
  let delay = 250;
  let saidLost = false;
  for (;;) {
    let outcome: Awaited<ReturnType<ServerClient['stream']>> = { kind: 'dropped' };
    let progressed = false;
    try {
      outcome = await client.stream(taskId, last, (event) => {
        if (event.seq <= last) return;
        last = event.seq;
        progressed = true;
        print(event);
      });
    } catch (error) {
      if (!isHarnessError(error) || error.code !== ErrorCodes.unavailable) throw error;
    }
    if (progressed || outcome.kind !== 'dropped') {
      failingSince = null;
      delay = 250;
      if (saidLost && !json) process.stderr.write(c.dim(`  reconnected to ${client.target.url}\n`));
      saidLost = false;
    }
    if (outcome.kind === 'end') {
      const parsed = taskSchema.safeParse(outcome.task);
      if (!parsed.success)
        throw new HarnessError(ErrorCodes.unavailable, `the task stream of ${taskId} ended with no task`);
      const task = parsed.data;
      if (terminalTaskStates.has(task.state)) return task;
      if (task.state === 'needs_input' && !json) {
        process.stderr.write(
          `${c.yellow('waiting for input:')} ${task.error?.message ?? 'a command needs approval'}\n` +
            `  answer with \`harness task respond ${taskId} allow|allow-always|deny\`; still watching…\n`,
        );
      }
      continue;
    }
    failingSince ??= Date.now();
    if (Date.now() - failingSince > reconnectWindowMs) throw client.unreachable(null);
    if (!saidLost && !json) {
      process.stderr.write(
        c.dim(`  lost the connection to ${client.target.url}; reconnecting after event ${last}…\n`),
      );
      saidLost = true;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2_000);
  }
}

/** Exit code and message for a task that ended: 0 when done, 1 (saying why) otherwise. */
export function reportEnd(task: Task, json: boolean): number {
  if (json) process.stdout.write(`${JSON.stringify({ task })}\n`);
  const c = colorsFor(process.stderr);
  if (task.state === 'done') {
    if (!json) {
      const where = task.pr_url ?? (task.branch ? `branch ${task.branch}` : 'no branch');
      process.stdout.write(`${task.id} done: ${task.delivery ?? 'delivered'} — ${where}\n`);
    }
    return 0;
  }
  const why = task.error ? `${task.error.message} ${c.dim(`[${task.error.code}]`)}` : 'no reason recorded';
  process.stderr.write(`${c.red(`task ${task.id} ${task.state}:`)} ${why}\n`);
  return 1;
}
