import path from 'node:path';
import type { Artifact, Draft, Finding, ReplayReport, RuleCategory } from '@harness/protocol';
import { createProcessRunner, systemClock, type Clock, type ProcessRunner } from '../../core/index.js';
import { scanProject, type Rule } from '../../guards/index.js';
import type { Store } from '../../store/index.js';
import { resolveContent } from './artifact-content.js';
import { explainFindings } from './finding-replay.js';
import { ProjectHistory } from './history.js';
import { replayPolicies } from './policy-replay.js';
import { rulesInArtifact, type DraftRule } from './rule-headings.js';
import { replayGuard, type Confine } from './tree-replay.js';

/**
 * A draft tried on the past before anyone adopts it. Its guards run over the current tree, its
 * rules say which of today's and yesterday's findings they account for, and its policy rules are
 * checked against every command agents ran in the project. Nothing in the project is written, and
 * nothing here throws for a bad artifact: a guard that crashes or hangs, a rule file or policy file
 * that does not parse, a diff that does not apply — each lands in `skipped` with why.
 */
export interface ReplayContext {
  /** The project's checkout. */
  readonly root: string;
  /** The project's name as tasks carry it; the draft's `project` by default. */
  readonly project?: string;
  readonly store: Store;
  /** The project's current policy files (absolute); discovered under the root by default. */
  readonly policyFiles?: readonly string[];
  /** `rules.exec_policy_paths`, added to the discovered files as a turn's policy gate adds them. */
  readonly extraPolicyPaths?: readonly string[];
  /** The loaded catalogue, so findings get their rules' severities. */
  readonly rules?: ReadonlyMap<string, Rule>;
  readonly processes?: ProcessRunner;
  readonly guardTimeoutMs?: number;
  /**
   * Runs a draft guard in a sandbox; without it the guard runs with a scrubbed environment only,
   * and `null` (no sandbox on this host) does not run draft guards at all: they are skipped.
   */
  readonly confine?: Confine | null;
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
}

const EXAMPLES = 10;
const DEFAULT_GUARD_TIMEOUT_MS = 60_000;

type Kind = 'guard' | 'rule' | 'policy' | 'other';
interface Resolved {
  readonly artifact: Artifact;
  readonly content: string;
}

export async function replayDraft(draft: Draft, ctx: ReplayContext): Promise<ReplayReport> {
  const root = path.resolve(ctx.root);
  const processes = ctx.processes ?? createProcessRunner();
  const skipped: ReplayReport['skipped'] = [];
  const byKind: Record<Exclude<Kind, 'other'>, Resolved[]> = { guard: [], rule: [], policy: [] };
  for (const artifact of draft.artifacts) {
    const kind = kindOf(artifact);
    if (kind === 'other') {
      skipped.push({ path: artifact.path, reason: notReplayable(artifact) });
      continue;
    }
    const resolved = await resolveContent(artifact, root, processes);
    if (resolved.ok) byKind[kind].push({ artifact, content: resolved.content });
    else skipped.push({ path: artifact.path, reason: resolved.reason });
  }
  const draftRules = parseRules(byKind.rule, skipped);
  const rules = mergeRules(ctx.rules, draftRules);
  const history = new ProjectHistory(ctx.store, { name: ctx.project ?? draft.project, root });
  const findings = await treeFindings(root, byKind.guard, draftRules, rules, ctx, processes, skipped);
  const guardFindings = findings.filter((f) => f.fromGuard).map((f) => f.finding);
  const explained = await explainFindings(history, new Set(draftRules.map((r) => r.id)), guardFindings, {
    active: draftRules.length > 0 || byKind.guard.length > 0,
  });
  const policyFiles = ctx.policyFiles ?? { extra: ctx.extraPolicyPaths ?? [] };
  const commands = await replayPolicies(root, history, byKind.policy, policyFiles, skipped);
  const all = findings.map((f) => f.finding);
  return {
    replayed_at: (ctx.clock ?? systemClock).now().toISOString(),
    tree: {
      findings: all.length,
      files: new Set(all.map((f) => f.file)).size,
      examples: all.slice(0, EXAMPLES),
    },
    history: { ...commands, ...explained },
    skipped,
  };
}

/** By where the file would go; the artifact's kind decides only for paths outside `.harness/`. */
function kindOf(artifact: Artifact): Kind {
  const p = artifact.path.split(path.sep).join('/');
  if (p.endsWith('.star') && (p.startsWith('.harness/policy/') || artifact.kind === 'policy_rule'))
    return 'policy';
  if (p.startsWith('.harness/guards/')) return 'guard';
  if (p.endsWith('.md') && p.startsWith('.harness/rules/')) return 'rule';
  if (p.startsWith('.harness/')) return 'other';
  if (artifact.kind === 'guard' && p.endsWith('.sh')) return 'guard';
  if (artifact.kind === 'rule' && p.endsWith('.md')) return 'rule';
  return 'other';
}

function notReplayable(artifact: Artifact): string {
  const what =
    artifact.kind === 'skill'
      ? 'a skill changes how agents work, not what they may run or what scans find'
      : artifact.kind === 'validation_command'
        ? 'a validation command is not run before a person adopts it (it would run unreviewed on this host)'
        : `${artifact.path} is not a guard (.harness/guards/), rule file (.harness/rules/*.md) or policy file (.star)`;
  return `not replayable: ${what}`;
}

function parseRules(
  files: readonly Resolved[],
  skipped: ReplayReport['skipped'],
): (DraftRule & { file: string })[] {
  const rules: (DraftRule & { file: string })[] = [];
  for (const { artifact, content } of files) {
    const parsed = rulesInArtifact(artifact.path, content);
    if (parsed.ok) rules.push(...parsed.rules.map((r) => ({ ...r, file: artifact.path })));
    else skipped.push({ path: artifact.path, reason: parsed.error });
  }
  return rules;
}

/** The catalogue with the draft's rules over it: a draft rule of a known id replaces it. */
function mergeRules(
  catalogue: ReadonlyMap<string, Rule> | undefined,
  draft: readonly (DraftRule & { file: string })[],
): Map<string, Rule> {
  const merged = new Map(catalogue ?? []);
  for (const r of draft)
    merged.set(r.id, {
      id: r.id,
      title: r.title,
      severity: r.severity,
      category: categoryOf(r.id),
      paths: [],
      description: r.description,
      fixPattern: null,
      source: { file: r.file, line: r.line },
    });
  return merged;
}

/** The original's convention: `SEC-*` security, language prefixes stability, the rest style. */
function categoryOf(id: string): RuleCategory {
  if (id.startsWith('SEC')) return 'security';
  return /^(RS|GO|TS|PY|JS)\b/.test(id) ? 'stability' : 'style';
}

/**
 * What the draft finds now: each draft guard's findings, and the findings of the project's own
 * guards that the draft's rules name (a rule gives a finding its severity and its text).
 */
async function treeFindings(
  root: string,
  guards: readonly Resolved[],
  draftRules: readonly DraftRule[],
  rules: ReadonlyMap<string, Rule>,
  ctx: ReplayContext,
  processes: ProcessRunner,
  skipped: ReplayReport['skipped'],
): Promise<{ finding: Finding; fromGuard: boolean }[]> {
  const timeoutMs = ctx.guardTimeoutMs ?? DEFAULT_GUARD_TIMEOUT_MS;
  const out: { finding: Finding; fromGuard: boolean }[] = [];
  const seen = new Set<string>();
  const add = (finding: Finding, fromGuard: boolean): void => {
    const key = `${finding.file}:${finding.line ?? ''}:${finding.rule_id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ finding, fromGuard });
  };
  for (const { artifact, content } of guards) {
    if (ctx.confine === null) {
      skipped.push({
        path: artifact.path,
        reason: 'not run: no sandbox (bubblewrap) here for a guard nobody reviewed',
      });
      continue;
    }
    const options = {
      processes,
      timeoutMs,
      ...(ctx.env === undefined ? {} : { env: ctx.env }),
      ...(ctx.confine === undefined || ctx.confine === null ? {} : { confine: ctx.confine }),
    };
    const run = await replayGuard(root, artifact.path, content, rules, options);
    if (run.ok) for (const finding of run.findings) add(finding, true);
    else skipped.push({ path: artifact.path, reason: run.reason });
  }
  if (draftRules.length > 0) {
    const ids = new Set(draftRules.map((r) => r.id));
    const scan = await scanProject(root, {
      rules,
      processes,
      timeoutMs,
      ...(ctx.env === undefined ? {} : { env: ctx.env }),
    });
    for (const finding of scan.findings) if (ids.has(finding.rule_id)) add(finding, false);
  }
  return out;
}
