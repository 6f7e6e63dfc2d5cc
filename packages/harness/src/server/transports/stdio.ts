import type { Readable, Writable } from 'node:stream';
import { RpcErrorCodes, failure } from '@harness/protocol';
import type { Harness } from '../harness.js';
import { LineSplitter } from './line-splitter.js';

export interface StdioTransport {
  /** Resolves when the input has ended and every request read from it has been answered. */
  readonly finished: Promise<void>;
  /** Stops reading and waits for the requests in flight. */
  close(): Promise<void>;
}

/**
 * Newline-delimited JSON-RPC over a pair of streams (stdin/stdout in `harness serve --transport
 * stdio`). One connection; replies and notifications share one writer, a line at a time.
 */
export function serveStdio(
  harness: Harness,
  input: Readable,
  output: Writable,
  maxLineBytes: number,
): StdioTransport {
  const write = (message: unknown): void => {
    if (!output.writableEnded) output.write(`${JSON.stringify(message)}\n`);
  };
  const connection = harness.openConnection('stdio', write, true);
  const inFlight = new Set<Promise<void>>();

  const onLine = (line: string): void => {
    const work = harness.router
      .handleText(connection, line)
      .then((reply) => {
        if (reply !== null && !output.writableEnded) output.write(`${reply}\n`);
      })
      .catch((error: unknown) => harness.logger.error({ err: error }, 'stdio request failed'))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  };
  const onOversized = (): void =>
    write(
      failure(null, RpcErrorCodes.invalidRequest, `invalid request: a message exceeds ${maxLineBytes} bytes`),
    );
  const splitter = new LineSplitter(maxLineBytes, onLine, onOversized);

  const drain = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    connection.close();
  };
  const ended = new Promise<void>((resolve) => {
    input.on('data', (chunk: Buffer | string) =>
      splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)),
    );
    input.once('end', resolve);
    input.once('close', resolve);
    input.once('error', (error) => {
      harness.logger.warn({ err: error }, 'stdio input failed');
      resolve();
    });
  });
  const finished = ended.then(() => {
    splitter.end();
    return drain();
  });

  return {
    finished,
    close: async () => {
      input.pause();
      input.removeAllListeners('data');
      await drain();
    },
  };
}
