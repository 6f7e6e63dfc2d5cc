import pc from 'picocolors';
import { describeError, isHarnessError } from '../core/index.js';

/** Colours only on a terminal, and never with NO_COLOR (picocolors honours it, and FORCE_COLOR). */
export function colorsFor(stream: NodeJS.WriteStream): ReturnType<typeof pc.createColors> {
  const enabled = Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && pc.isColorSupported;
  return pc.createColors(enabled);
}

/** Prints a command's data: JSON with --json, otherwise the human rendering. */
export function printData(data: unknown, json: boolean, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

export function printError(error: unknown): void {
  printFailure(describeError(error), isHarnessError(error) ? error.code : null);
}

/** `error: <message> [<code>]` on stderr: how every failure is shown, once. */
export function printFailure(message: string, code: string | null): void {
  const c = colorsFor(process.stderr);
  const tag = code === null ? '' : ` ${c.dim(`[${code}]`)}`;
  process.stderr.write(`${c.red('error:')} ${message}${tag}\n`);
}

/** Collects a repeatable option's values (`--project a=1 --project b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
