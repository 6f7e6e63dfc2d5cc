import { pino } from 'pino';

/** The logging port: structured, levelled, never to stdout (stdout belongs to the protocol in stdio mode). */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  child(bindings: object): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** JSON lines to stderr. Secrets are redacted by key wherever they appear. */
export function createLogger(
  level: LogLevel = 'info',
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  return pino(
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
    destination,
  );
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
