import path from 'node:path';
import { z } from 'zod';

/** How much an agent may touch: read only, write inside its worktree, or anything. */
export const SandboxModes = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const SandboxModeSchema = z.enum(SandboxModes);
export type SandboxMode = z.infer<typeof SandboxModeSchema>;

/**
 * Paths under the workspace that stay read-only in `workspace-write` (the same rule Codex applies):
 * history and Harness's own state are not the agent's to rewrite.
 */
export const DEFAULT_PROTECTED_PATHS = ['.git', '.harness'] as const;

export const SandboxSpecSchema = z.object({
  mode: SandboxModeSchema,
  /** Absolute path of the worktree the agent works in. */
  workspace: z.string().refine((p) => path.isAbsolute(p), 'workspace must be an absolute path'),
  /** Extra absolute paths that are writable in `workspace-write`. */
  writable_roots: z.array(z.string()).default([]),
  /** Workspace-relative paths kept read-only in `workspace-write`. */
  protected_paths: z.array(z.string()).default([...DEFAULT_PROTECTED_PATHS]),
  /**
   * Network for the commands Harness runs in the sandbox. Agent CLIs must reach their model
   * endpoint, so their process keeps the network; see each adapter for what that implies.
   */
  network: z.boolean().default(false),
  /**
   * Absolute paths the agent must not read at all: Harness's own config file (it may hold tokens)
   * and data directory (the store, other tasks' worktrees). Hidden in every sandboxed mode.
   */
  hidden_paths: z.array(z.string()).default([]),
});

export type SandboxSpec = z.infer<typeof SandboxSpecSchema>;
export type SandboxSpecInput = z.input<typeof SandboxSpecSchema>;

export function sandboxSpec(input: SandboxSpecInput): SandboxSpec {
  return SandboxSpecSchema.parse(input);
}
