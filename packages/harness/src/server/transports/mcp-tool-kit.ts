import type { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { type Logger, newId } from '../../core/index.js';
import type { RpcBridge } from './mcp-bridge.js';
import { ToolFailure, toolError, toolResult } from './mcp-results.js';

/**
 * How an MCP tool is defined and run: each validates its arguments with a schema built from the
 * protocol's own params schemas (so MCP and JSON-RPC accept the same values), calls the router
 * through the bridge and answers with a compact JSON summary. Router errors become `isError`
 * results, never protocol errors, so the calling model sees what to fix.
 */

export interface ToolContext {
  rpc: RpcBridge;
  logger: Logger;
  /** Aborted when the server shuts down, so a long wait ends with it. */
  shutdown: AbortSignal;
  /** Tracks a call in flight, so shutdown can wait for it. */
  track(work: Promise<CallToolResult>): Promise<CallToolResult>;
}

export interface ToolCall {
  rpc: RpcBridge;
  /** Aborted when the client cancels the request or the server shuts down. */
  signal: AbortSignal;
  /** Reports progress to the client if it asked for it (a progress token); a no-op otherwise. */
  progress(message: string): void;
}

export interface ToolDefinition<S extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  annotations: ToolAnnotations;
  run(args: z.output<S>, call: ToolCall): Promise<Record<string, unknown>>;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
export type Registration = (server: McpServer, context: ToolContext) => void;

export function defineTool<S extends z.ZodObject>(tool: ToolDefinition<S>): Registration {
  return (server, context) => {
    const config = {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      annotations: { title: tool.title, ...tool.annotations },
    };
    const callback = (args: z.output<S>, extra: Extra) => context.track(runTool(tool, args, extra, context));
    server.registerTool(tool.name, config, callback as never);
  };
}

async function runTool<S extends z.ZodObject>(
  tool: ToolDefinition<S>,
  args: z.output<S>,
  extra: Extra,
  context: ToolContext,
): Promise<CallToolResult> {
  const call: ToolCall = {
    rpc: context.rpc,
    signal: AbortSignal.any([extra.signal, context.shutdown]),
    progress: progressReporter(extra),
  };
  try {
    return toolResult(await tool.run(args, call));
  } catch (error) {
    if (error instanceof ToolFailure) return toolError(error.message);
    // Anything else is a bug: the details go to the log, the client gets a reference to find them.
    const reference = newId('evt');
    context.logger.error({ err: error, tool: tool.name, reference }, 'MCP tool failed');
    return toolError(`${tool.name}: internal error (reference ${reference}; see the server log)`);
  }
}

function progressReporter(extra: Extra): (message: string) => void {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => {};
  let progress = 0;
  return (message) => {
    progress += 1;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress, message },
      })
      .catch(() => {});
  };
}

/** Adds descriptions to protocol field schemas, so tools/list explains each argument. */
export function described<S extends z.ZodRawShape>(shape: S, text: { [K in keyof S]?: string }): S {
  const out: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const description = text[key as keyof S];
    out[key] = description ? (schema as z.ZodType).describe(description) : (schema as z.ZodType);
  }
  return out as unknown as S;
}
