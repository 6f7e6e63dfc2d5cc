import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { ErrorCodes, HarnessError } from './errors.js';

/** The logging port: structured, levelled, never to stdout (stdout belongs to the protocol in stdio mode). */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  child(bindings: object): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export const logFormats = ['auto', 'text', 'json'] as const;
/** `auto`: text on a terminal, JSON lines otherwise (a pipe, a file, a service manager). */
export type LogFormat = (typeof logFormats)[number];

export interface LoggerOptions {
  /** How the destination gets its lines; default `auto`. */
  format?: LogFormat;
  /**
   * A file that receives every line as well, appended (created with mode 0600, its directory with
   * 0700 if missing). It gets JSON lines
   * unless `format` is `text`.
   */
  file?: string;
}

/** A logger whose log file (if any) can be closed; the server closes it last. */
export interface ClosableLogger extends Logger {
  close(): void;
}

interface LineSink {
  write(line: string): void;
}

/**
 * Structured logs to stderr (or `destination`): JSON lines, or one readable line per entry
 * (`time LEVEL message key=value…`) when the format is `text`, or `auto` on a terminal. Secrets are
 * redacted by key wherever they appear, in both formats and in the log file.
 */
export function createLogger(
  level: LogLevel = 'info',
  destination: NodeJS.WritableStream = process.stderr,
  options: LoggerOptions = {},
): ClosableLogger {
  const format = options.format ?? 'auto';
  const sinks: LineSink[] = [
    resolveLogFormat(format, destination) === 'text' ? textSink(destination) : destination,
  ];
  let fd: number | null = null;
  if (options.file !== undefined) {
    fd = openLogFile(options.file);
    const file = fd;
    const fileSink: LineSink = { write: (line) => void writeSync(file, line) };
    sinks.push(format === 'text' ? textSink(fileSink) : fileSink);
  }
  const sink: LineSink =
    sinks.length === 1 ? sinks[0]! : { write: (line) => sinks.forEach((s) => s.write(line)) };
  const logger = pino(
    {
      level,
      base: { name: 'harness' },
      redact: {
        paths: [
          'token',
          'api_token',
          'api_key',
          'authorization',
          '*.token',
          '*.api_token',
          '*.api_key',
          '*.authorization',
        ],
        censor: '[redacted]',
      },
    },
    sink,
  );
  return Object.assign(logger, {
    close: () => {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  });
}

/** What `format` means for `destination`: `auto` is text on a terminal, JSON lines otherwise. */
export function resolveLogFormat(format: LogFormat, destination: NodeJS.WritableStream): 'text' | 'json' {
  if (format !== 'auto') return format;
  return (destination as { isTTY?: boolean }).isTTY === true ? 'text' : 'json';
}

function openLogFile(file: string): number {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    return openSync(file, 'a', 0o600);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HarnessError(
      ErrorCodes.config,
      `cannot open the log file ${file} (--log-file or server.log_file): ${reason}`,
    );
  }
}

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const hiddenKeys = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/** Turns pino's JSON lines into `HH:MM:SS.mmm LEVEL message key=value…` before writing them. */
function textSink(target: LineSink): LineSink {
  return { write: (line) => target.write(formatTextLine(line)) };
}

/** One JSON log line as a readable line; a line that is not a JSON object passes through. */
export function formatTextLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return line;
  const record = entry as Record<string, unknown>;
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const level = levelNames[record.level as number] ?? String(record.level);
  const parts = [time, level, typeof record.msg === 'string' ? record.msg : ''].filter((p) => p !== '');
  let stack = '';
  for (const [key, value] of Object.entries(record)) {
    if (hiddenKeys.has(key) || value === undefined) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as { message?: unknown; stack?: unknown };
      parts.push(`err=${quote(String(err.message ?? JSON.stringify(value)))}`);
      if (typeof err.stack === 'string') stack = `\n${err.stack.replace(/^/gm, '    ')}`;
      continue;
    }
    // Strings are quoted when they would read ambiguously; numbers, booleans and objects are JSON.
    parts.push(`${key}=${typeof value === 'string' ? quote(value) : JSON.stringify(value)}`);
  }
  return `${parts.join(' ')}${stack}\n`;
}

function quote(value: string): string {
  return value === '' || /[\s"=\\]/.test(value) ? JSON.stringify(value) : value;
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
