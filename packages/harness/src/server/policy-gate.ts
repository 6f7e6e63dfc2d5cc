import type { CommandGate } from '../agents/index.js';
import { discoverPolicyFiles, loadPolicyFiles } from '../rules/index.js';

/**
 * The execution policy of a project as a command gate for its agents: `.harness/policy/*.star`
 * plus `rules.exec_policy_paths`, loaded when a turn starts (so an edited policy applies to the
 * next turn). A policy that fails to load throws, so the turn fails rather than running unpoliced.
 */
export function policyGateFor(extraPaths: readonly string[]) {
  return async (projectRoot: string): Promise<CommandGate | undefined> => {
    const files = await discoverPolicyFiles(projectRoot, extraPaths);
    if (files.length === 0) return undefined;
    const policy = await loadPolicyFiles(files);
    return async ({ command }) => {
      const result = policy.checkCommandLine(command);
      return { decision: result.decision, reason: result.reason };
    };
  };
}
