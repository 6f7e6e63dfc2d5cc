import { existsSync } from 'node:fs';
import path from 'node:path';
import { agentsMdName, type AgentsMdCascade } from './agents-md.js';

/**
 * The part of a cascade Claude Code does not read by itself, for `--append-system-prompt`.
 * Claude Code reads `CLAUDE.md` from the working directory up, and (since 2.1.277) `AGENTS.md` in
 * a directory that has no `CLAUDE.md`. Handing it those files again would include them twice, so
 * only the rest goes in: the global file, override and fallback files, and `AGENTS.md` where a
 * `CLAUDE.md` hides it. Null when Claude Code reads everything itself.
 */
export function cascadeClaudeCodeMisses(cascade: AgentsMdCascade): string | null {
  const missing = claudeMissingFiles(cascade);
  if (missing.length === 0) return null;
  return missing.map((file) => sliceOf(cascade, file)).join('\n\n');
}

function claudeMissingFiles(cascade: AgentsMdCascade): string[] {
  return cascade.files
    .filter((file) => {
      if (file.included_bytes === 0) return false;
      if (file.scope === 'global') return true;
      if (path.basename(file.path) !== agentsMdName) return true;
      return existsSync(path.join(path.dirname(file.path), 'CLAUDE.md'));
    })
    .map((file) => file.path);
}

/**
 * A file's text as the cascade holds it (cut or whole): the files' texts are joined with a blank
 * line in `files` order, so a file's slice starts after the included bytes of those before it.
 */
function sliceOf(cascade: AgentsMdCascade, filePath: string): string {
  const text = Buffer.from(cascade.text, 'utf8');
  let offset = 0;
  for (const file of cascade.files) {
    if (file.included_bytes === 0) continue;
    if (file.path === filePath) return text.subarray(offset, offset + file.included_bytes).toString('utf8');
    offset += file.included_bytes + 2;
  }
  return '';
}

export type CascadeAgent = 'claude' | 'codex' | 'anthropic_api';

export interface CascadeDelivery {
  agent: CascadeAgent;
  /** Files of the cascade the agent reads by itself. */
  read_natively: string[];
  /** What Harness adds to its instructions; null when it reads everything itself. */
  given_by_harness: string | null;
}

/**
 * How one agent gets a cascade, as its adapter hands it over: Claude Code reads the AGENTS.md files
 * no CLAUDE.md hides and is given the rest; Codex reads them all (the global file from its
 * CODEX_HOME, which is the cascade's global directory unless its adapter has a dedicated one); the
 * API adapter is given everything in its system prompt.
 */
export function cascadeDelivery(cascade: AgentsMdCascade, agent: CascadeAgent): CascadeDelivery {
  const included = cascade.files.filter((file) => file.included_bytes > 0).map((file) => file.path);
  if (agent === 'codex') return { agent, read_natively: included, given_by_harness: null };
  if (agent === 'anthropic_api') {
    return { agent, read_natively: [], given_by_harness: cascade.text === '' ? null : cascade.text };
  }
  const given = cascadeClaudeCodeMisses(cascade);
  const givenFiles = new Set(claudeMissingFiles(cascade));
  return { agent, read_natively: included.filter((p) => !givenFiles.has(p)), given_by_harness: given };
}
