import { z } from 'zod';

/**
 * What an agent is told about a project before its prompt, over the wire: `context/preview`
 * assembles the AGENTS.md cascade as the agents get it — the text, every file in order with its
 * byte counts, what the cap cut — and, for one agent, which part it reads by itself and which part
 * Harness hands it.
 */

const pathParam = z.string().min(1).max(4096);

export const contextAgentSchema = z.enum(['claude', 'codex', 'anthropic_api'], {
  error: (issue) => `expected one of "claude", "codex", "anthropic_api", got ${JSON.stringify(issue.input)}`,
});

export const contextPreviewParamsSchema = z.strictObject({
  /** A registered project's root, or a directory inside `server.allowed_project_roots`. */
  project_root: pathParam,
  /** Where the agent would work: the project root when absent; relative paths are from it. */
  cwd: pathParam.optional(),
  /** Also say how this agent gets the cascade. */
  agent: contextAgentSchema.optional(),
});
export type ContextPreviewParams = z.infer<typeof contextPreviewParamsSchema>;

export const agentsMdFileSchema = z.object({
  path: z.string(),
  scope: z.enum(['global', 'project']),
  bytes: z.number().int().nonnegative(),
  /** Bytes of the file in `text`: less than `bytes` when the cap cut it, 0 when it dropped it. */
  included_bytes: z.number().int().nonnegative(),
});
export type AgentsMdFileInfo = z.infer<typeof agentsMdFileSchema>;

export const agentsMdCutSchema = z.object({
  path: z.string(),
  cut_bytes: z.number().int().positive(),
  kind: z.enum(['partial', 'dropped']),
});

/** How one agent gets the cascade: files it reads itself, and the text Harness adds for it. */
export const agentsMdDeliverySchema = z.object({
  agent: contextAgentSchema,
  read_natively: z.array(z.string()),
  /** What Harness adds to the agent's system prompt or developer instructions; null when nothing. */
  given_by_harness: z.string().nullable(),
});
export type AgentsMdDelivery = z.infer<typeof agentsMdDeliverySchema>;

export const contextPreviewResultSchema = z.object({
  root: z.string(),
  cwd: z.string(),
  text: z.string(),
  files: z.array(agentsMdFileSchema),
  cut: z.array(agentsMdCutSchema),
  max_bytes: z.number().int().nonnegative(),
  delivery: agentsMdDeliverySchema.nullable(),
});
export type ContextPreviewResult = z.infer<typeof contextPreviewResultSchema>;

export const contextMethods = {
  'context/preview': { params: contextPreviewParamsSchema, result: contextPreviewResultSchema },
} as const;
