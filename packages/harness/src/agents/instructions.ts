import { describeError } from '../core/index.js';
import {
  assembleAgentsMd,
  describeCuts,
  type AgentsMdCascade,
  type AgentsMdSettings,
} from '../context/index.js';
import type { TurnContext } from './turn.js';

/**
 * The turn's AGENTS.md cascade, assembled from its working directory; null when the adapter was
 * given no settings or the files cannot be read (a warning says which). A cascade the cap cut is
 * announced as a warning event, so what the agent does not see is never silent.
 */
export function turnCascade(
  ctx: TurnContext,
  settings: AgentsMdSettings | undefined,
): AgentsMdCascade | null {
  if (settings === undefined) return null;
  let cascade: AgentsMdCascade;
  try {
    cascade = assembleAgentsMd(ctx.options.cwd, settings);
  } catch (error) {
    ctx.emit({ type: 'warning', message: `AGENTS.md instructions left out: ${describeError(error)}` });
    return null;
  }
  if (cascade.cut.length > 0) {
    ctx.emit({
      type: 'warning',
      message: `AGENTS.md instructions cut at ${cascade.max_bytes} bytes: ${describeCuts(cascade)}`,
    });
  }
  return cascade;
}

/** Instructions joined with a blank line, the empty ones left out; undefined when none remain. */
export function joinInstructions(...parts: (string | null | undefined)[]): string | undefined {
  const kept = parts.filter((part): part is string => part !== null && part !== undefined && part !== '');
  return kept.length === 0 ? undefined : kept.join('\n\n');
}
