import type { RpcNotification } from '@harness/protocol';
import { colorsFor } from './output.js';

const oneLine = (text: string, max = 160): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Renders a turn's notifications as one line per step on stderr, as the agent works. */
export function progressPrinter(
  stream: NodeJS.WriteStream = process.stderr,
): (message: RpcNotification) => void {
  const c = colorsFor(stream);
  const say = (line: string) => stream.write(`${line}\n`);
  return (message) => {
    const params = message.params as Record<string, unknown>;
    if (message.method === 'turn/started') say(c.dim(`▸ turn started with ${String(params.agent)}`));
    if (message.method !== 'item/completed') return;
    const item = params.item as Record<string, unknown>;
    switch (item.type) {
      case 'command':
        say(
          `${c.cyan('$')} ${oneLine(String(item.command))} ${c.dim(`(exit ${String(item.exit_code ?? '?')})`)}`,
        );
        break;
      case 'command_gate':
        if (item.decision !== 'allow')
          say(`${c.yellow('⛔')} ${item.decision}: ${oneLine(String(item.command))}`);
        break;
      case 'file_change':
        say(`${c.green('✎')} ${String(item.kind)} ${String(item.path)}`);
        break;
      case 'tool_call':
        say(c.dim(`· ${String(item.name)}`));
        break;
      case 'agent_message':
        say(c.dim(`… ${oneLine(String(item.text))}`));
        break;
      case 'warning':
        say(`${c.yellow('warning:')} ${String(item.message)}`);
        break;
      case 'api_retry':
        say(`${c.yellow('↻')} ${String(item.message)}`);
        break;
      // No `error` case: the command prints the turn's error once, when the turn has ended.
    }
  };
}
