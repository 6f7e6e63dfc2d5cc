import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReplayReport } from '@harness/protocol';
import { describeError } from '../../core/index.js';
import { discoverPolicyFiles, loadPolicy, type Policy, type PolicySource } from '../../policy/index.js';
import { replayCommands } from './command-replay.js';
import type { ProjectHistory } from './history.js';

/**
 * The draft's policy files loaded beside the project's own — a draft file at the path of an
 * existing one replaces it, as adoption would — and every past command of the project checked
 * against both. A draft file that does not load is skipped with the interpreter's file:line:col.
 */
type Commands = Pick<ReplayReport['history'], 'commands_checked' | 'commands_blocked' | 'command_examples'>;

const NONE: Commands = { commands_checked: 0, commands_blocked: 0, command_examples: [] };

export async function replayPolicies(
  root: string,
  history: ProjectHistory,
  drafts: readonly { artifact: { path: string }; content: string }[],
  policyFiles: readonly string[] | { extra: readonly string[] },
  skipped: ReplayReport['skipped'],
): Promise<Commands> {
  if (drafts.length === 0) return { ...NONE, command_examples: [] };
  let current: PolicySource[];
  let baseline: Policy;
  try {
    const files = 'extra' in policyFiles ? await discoverPolicyFiles(root, policyFiles.extra) : policyFiles;
    current = await readSources(files);
    baseline = loadPolicy({ files: current });
  } catch (error) {
    for (const d of drafts)
      skipped.push({
        path: d.artifact.path,
        reason: `the project's current policy does not load: ${describeError(error)}`,
      });
    return { ...NONE, command_examples: [] };
  }
  const good: PolicySource[] = [];
  for (const d of drafts) {
    const source = { path: d.artifact.path, source: d.content };
    try {
      loadPolicy({ files: [source] });
      good.push(source);
    } catch (error) {
      skipped.push({ path: d.artifact.path, reason: describeError(error) });
    }
  }
  if (good.length === 0) return { ...NONE, command_examples: [] };
  const replaced = new Set(good.map((s) => path.resolve(root, s.path)));
  const files = [...current.filter((s) => !replaced.has(path.resolve(root, s.path))), ...good];
  let withDraft: Policy;
  try {
    withDraft = loadPolicy({ files });
  } catch (error) {
    for (const s of good)
      skipped.push({
        path: s.path,
        reason: `does not load with the project's policy: ${describeError(error)}`,
      });
    return { ...NONE, command_examples: [] };
  }
  return replayCommands(history, baseline, withDraft);
}

async function readSources(files: readonly string[]): Promise<PolicySource[]> {
  const out: PolicySource[] = [];
  for (const file of files) out.push({ path: file, source: await readFile(file, 'utf8') });
  return out;
}
