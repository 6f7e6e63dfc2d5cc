/**
 * context: what an agent is told about the project before its prompt — the AGENTS.md cascade,
 * assembled as Codex assembles it (global file, then repository root down to the working
 * directory, override files first, a byte cap that reports what it cut), and the part of it each
 * agent does not read natively. Reads files only; depends on core alone.
 */
export {
  type AgentsMdCascade,
  type AgentsMdCut,
  type AgentsMdFile,
  type AgentsMdScope,
  type AgentsMdSettings,
  agentsMdName,
  agentsMdOverrideName,
  agentsMdSettingsFrom,
  assembleAgentsMd,
  defaultAgentsMdMaxBytes,
  describeCuts,
  instructionFileIn,
  repositoryRootOf,
} from './agents-md.js';
export {
  type CascadeAgent,
  cascadeClaudeCodeMisses,
  type CascadeDelivery,
  cascadeDelivery,
} from './native-reading.js';
