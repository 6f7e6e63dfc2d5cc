import type { Event } from '@harness/protocol';
import { colorsFor } from '../output.js';

/** One line per step of the task, as it happens. */
export function demoPrinter(
  taskId: string,
  out: NodeJS.WriteStream = process.stdout,
): (event: Event) => void {
  const c = colorsFor(out);
  const say = (line: string) => out.write(`${line}\n`);
  return (event) => {
    if (event.task_id !== taskId) return;
    const data = (event.data ?? {}) as Record<string, unknown>;
    switch (event.kind) {
      case 'task.stage':
        return say(c.bold(`▸ ${String(data.stage)}`));
      case 'turn.started':
        return say(c.dim(`  ${String(data.agent)} is working…`));
      case 'agent.command':
        return say(
          `  ${c.cyan('$')} ${String(data.command)} ${c.dim(`(exit ${String(data.exit_code ?? '?')})`)}`,
        );
      case 'agent.api_retry':
        return say(`  ${c.yellow('↻')} ${String(data.message)}`);
      case 'task.validation_detected':
        return say(c.dim(`  validation commands detected: ${String(data.summary)}`));
      case 'task.validation':
        return say(`  validation ${data.passed ? c.green('passed') : c.red('failed')}`);
      case 'task.guards':
        // Only scans: "nothing to scan" would be noise in a demo.
        if (data.scanned !== true) return;
        return say(
          `  guards: ${String(data.new)} new finding(s), ${data.blocking ? c.red(`${String(data.blocking)} blocking`) : c.green('none blocking')}${data.preexisting ? c.dim(`, ${String(data.preexisting)} already there`) : ''}`,
        );
      case 'task.delivery':
        return say(`  delivery: ${String(data.delivery)}${event.reason ? c.dim(` (${event.reason})`) : ''}`);
      case 'task.pr':
        return say(`  pull request ${c.underline(String(data.url))}`);
      case 'task.review':
        return say(
          `  review round ${String(data.round)}: ${data.verdict === 'approve' ? c.green('approved') : c.yellow(String(data.verdict))}`,
        );
      case 'task.finished':
        return say(
          c.bold(
            `■ ${String(data.state)}${data.grade ? ` — grade ${String(data.grade)} (score ${String(data.score)})` : ''}`,
          ),
        );
    }
  };
}
