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
  const missing = cascade.files.filter((file) => {
    if (file.included_bytes === 0) return false;
    if (file.scope === 'global') return true;
    if (path.basename(file.path) !== agentsMdName) return true;
    return existsSync(path.join(path.dirname(file.path), 'CLAUDE.md'));
  });
  if (missing.length === 0) return null;
  return missing.map((file) => sliceOf(cascade, file.path)).join('\n\n');
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
