import type { AgentName, AgentRegistry } from '../agents/index.js';
import { type AgentChoice, ErrorCodes, HarnessError } from '../core/index.js';

/** Whose models an agent runs on: a challenger must not share its reviewer's blind spots. */
const providerOf: Record<AgentName, 'anthropic' | 'openai'> = {
  claude: 'anthropic',
  anthropic_api: 'anthropic',
  codex: 'openai',
};

export function sameProvider(a: AgentName, b: AgentName): boolean {
  return providerOf[a] === providerOf[b];
}

const howToFix =
  'set [agents.review] challenger_agent to a usable agent of another provider (Claude Code or the ' +
  'Anthropic API against Codex), "auto", or "none" for a single reviewer';

/**
 * The challenger of `primary`: none when `wanted` is "none"; with "auto" the first usable agent of
 * another provider, or none when there is no such agent (a single reviewer, as before); a named
 * agent must be usable and of another provider, else `no_reviewer` says what to configure.
 */
export async function chooseChallenger(
  agents: AgentRegistry,
  primary: AgentName,
  wanted: AgentChoice | 'none',
): Promise<AgentName | null> {
  if (wanted === 'none') return null;
  const list = await agents.list();
  if (wanted === 'auto') return list.find((a) => a.usable && !sameProvider(a.name, primary))?.name ?? null;
  if (sameProvider(wanted, primary))
    throw new HarnessError(
      ErrorCodes.noReviewer,
      `the challenger ${wanted} runs on the same provider as the reviewer ${primary}; ${howToFix}`,
      { data: { reviewer: primary, challenger: wanted } },
    );
  const info = list.find((a) => a.name === wanted);
  if (info?.usable === true) return info.name;
  throw new HarnessError(
    ErrorCodes.noReviewer,
    `the challenger ${wanted} is not usable (${info?.reason ?? 'unknown agent'}); ${howToFix}`,
    { data: { reviewer: primary, challenger: wanted } },
  );
}
