import type { Readable, Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { harnessVersion } from '../../core/index.js';
import type { Harness } from '../harness.js';
import { RpcBridge } from './mcp-bridge.js';
import { registerTools } from './mcp-tools.js';

export interface McpTransport {
  /** Resolves when the client has gone: its input ended or the MCP connection closed. */
  readonly finished: Promise<void>;
  /** Cancels waits in progress, lets the calls in flight answer, then closes the connection. */
  close(): Promise<void>;
}

const instructions =
  'Harness runs coding agents (Claude Code, Codex, the Anthropic API) under one policy and lifecycle. ' +
  'Use start_thread + send_message for a conversation with an agent in a directory, start_task to have ' +
  'a change implemented, reviewed and opened as a pull request on a registered project (then task_status), ' +
  'check_command to ask the execution policy about a shell command, and query_events to see what happened.';

/**
 * MCP over a pair of streams (stdin/stdout in `harness mcp`), with `@modelcontextprotocol/sdk`.
 * The tools call the same JSON-RPC router as every other transport, through one in-process
 * connection; only MCP framing goes to `output`, so logs must go elsewhere (stderr).
 */
export async function serveMcp(harness: Harness, input: Readable, output: Writable): Promise<McpTransport> {
  const { logger } = harness;
  const rpc = await RpcBridge.open(harness, 'mcp');
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<CallToolResult>>();
  const track = (work: Promise<CallToolResult>): Promise<CallToolResult> => {
    inFlight.add(work);
    // Forgets the call either way; its rejection reaches the SDK through `work` itself.
    const forget = (): void => void inFlight.delete(work);
    work.then(forget, forget);
    return work;
  };
  const server = new McpServer({ name: 'harness', version: harnessVersion }, { instructions });
  registerTools(server, { rpc, logger, shutdown: shutdown.signal, track });

  const finished = new Promise<void>((resolve) => {
    input.once('end', resolve);
    input.once('close', resolve);
    // A client that vanishes makes stdout fail (EPIPE): that is the end of the session, not a crash.
    output.once('error', (error) => {
      logger.warn({ err: error }, 'MCP output failed');
      resolve();
    });
    server.server.onclose = resolve;
  });
  server.server.onerror = (error) => logger.warn({ err: error }, 'MCP transport error');
  await server.connect(new StdioServerTransport(input, output));

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    shutdown.abort();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    await server.close();
    rpc.close();
  };
  return { finished, close: () => (closing ??= close()) };
}
