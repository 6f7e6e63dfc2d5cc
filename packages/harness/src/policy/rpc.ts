import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  RuleCheckParamsSchema,
  RuleLoadParamsSchema,
  type CommandCheckResult,
  type ProjectCheckResult,
  type RuleLoadParams,
  type RuleLoadResult,
  type RuleMatchJson,
  type CommandPart,
} from '@harness/protocol';
import type { z } from 'zod';
import { ErrorCodes, HarnessError, describeIssues, type ProcessRunner } from '../core/index.js';
import { loadRuleCatalogue, type RuleCatalogue } from '../guards/index.js';
import { checkProject, type ProjectCheckContext } from './project-check.js';
import { discoverPolicyFiles, expandPolicyPaths, loadPolicyFiles } from './load-policy.js';
import { gitAliasLookup } from './git-config.js';
import { checkCommandLineWithScripts } from './script-files.js';
import type { CheckResult, PartResult, Policy } from './policy.js';
import type { RuleMatch } from './rule-index.js';
import { renderPattern } from './rule-model.js';

/**
 * `rule/load` and `rule/check` as plain functions returning JSON-safe, snake_case results; the
 * JSON-RPC layer only validates, calls and serialises. The schemas are the protocol's. The forms
 * are told apart by their params: a `command` is a policy check (against `path` or the project's
 * policy); no command is a project scan of `project_root` (or of `path` when it is a directory),
 * optionally of some `files`.
 */
export interface RuleRpcContext extends Omit<ProjectCheckContext, 'loadPolicy' | 'fix'> {
  /** Extra policy files from config (`rules.exec_policy_paths`). */
  readonly extraPolicyPaths?: readonly string[];
  readonly guardTimeoutMs?: number;
  /** Runs the guard scanners of a project check; a real runner by default. */
  readonly processes?: ProcessRunner;
}

/** A directory is a project (its `.harness/policy/*.star`); a file is a policy file. */
export async function resolvePolicyPaths(target: string, extra: readonly string[] = []): Promise<string[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new HarnessError(ErrorCodes.notFound, `${target}: no such file or directory`);
  if (info.isDirectory()) return discoverPolicyFiles(target, extra);
  return [...new Set([path.resolve(target), ...(await expandPolicyPaths(extra, process.cwd()))])];
}

export async function ruleLoad(params: unknown, ctx: RuleRpcContext = {}): Promise<RuleLoadResult> {
  const p = parseParams(RuleLoadParamsSchema, params);
  const policy = await loadFor(p.path ?? (p.project_root as string), p.default_decision, ctx);
  if (p.project_root === undefined) return describePolicy(policy);
  // Reading rule files, like reading policy files, needs no registered project; running guards does.
  const catalogue = await loadRuleCatalogue({ ...ctx.catalogue, projectRoot: path.resolve(p.project_root) });
  return { ...describeCatalogue(catalogue), ...describePolicy(policy) };
}

export async function ruleCheck(
  params: unknown,
  ctx: RuleRpcContext = {},
): Promise<CommandCheckResult | ProjectCheckResult> {
  const p = parseParams(RuleCheckParamsSchema, params);
  const target = p.path ?? (p.project_root as string);
  if (p.files !== undefined && p.command !== undefined) {
    throw invalidParams('pass `command` to check a command, or `files` to scan files, not both', 'files');
  }
  if (p.files?.length === 0) throw invalidParams('files: empty scan input', 'files');
  if (p.command === undefined)
    return checkProject(p.project_root ?? (await scanTarget(target)), p.files, projectContext(ctx));
  const policy = await loadFor(target, p.default_decision, ctx);
  // Script files named by the command resolve against the project (or the policy's directory).
  const isDir = (await stat(target).catch(() => null))?.isDirectory() ?? false;
  const cwd = p.project_root ?? (isDir ? target : path.dirname(path.resolve(target)));
  return commandResult(await checkForReport(policy, p.command, cwd), policy.files);
}

/**
 * A command line is checked with the shell scripts it runs from files (relative to `cwd`); an argv
 * is checked as it is.
 */
export async function checkForReport(
  policy: Policy,
  command: string | readonly string[],
  cwd: string,
): Promise<CheckResult> {
  if (typeof command !== 'string') return policy.check(command, { gitAliases: gitAliasLookup({ cwd }) });
  const aware = await checkCommandLineWithScripts(policy, command, cwd);
  return { ...aware.command, decision: aware.decision, reason: aware.reason };
}

/** The project check with this context's policy paths (what `harness rule check DIR` runs too). */
export function projectContext(ctx: RuleRpcContext, fix = false): ProjectCheckContext {
  return { ...ctx, fix, loadPolicy: (root) => loadFor(root, undefined, ctx) };
}

/** Without `project_root`, a scan needs `path` to be a directory: a policy file has nothing to scan. */
async function scanTarget(target: string): Promise<string> {
  const info = await stat(target).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw invalidParams(
      `${target} is a policy file: pass a command to check against it, or project_root to scan a project`,
      'command',
    );
  }
  return target;
}

function invalidParams(message: string, field: string): HarnessError {
  return new HarnessError(ErrorCodes.invalidParams, message, { data: { path: [field] } });
}

export function describeCatalogue(
  catalogue: RuleCatalogue,
): Required<Pick<RuleLoadResult, 'rules_count' | 'rules' | 'shadowed'>> {
  const rules = [...catalogue.rules.values()].map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    category: r.category,
    paths: [...r.paths],
    fix_pattern: r.fixPattern,
    source: { ...r.source },
    origin: catalogue.origins.get(r.id) ?? 'builtin',
  }));
  return { rules_count: rules.length, rules, shadowed: catalogue.shadowed.map((s) => ({ ...s })) };
}

async function loadFor(
  target: string,
  defaultDecision: RuleLoadParams['default_decision'],
  ctx: RuleRpcContext,
): Promise<Policy> {
  const paths = await resolvePolicyPaths(target, ctx.extraPolicyPaths);
  return loadPolicyFiles(paths, { defaultDecision });
}

function parseParams<T>(schema: z.ZodType<T>, params: unknown): T {
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) {
    throw new HarnessError(ErrorCodes.invalidParams, describeIssues(parsed.error, { root: 'params' }));
  }
  return parsed.data;
}

export function describePolicy(policy: Policy): RuleLoadResult {
  const { rules } = policy;
  return {
    files: [...policy.files],
    default_decision: policy.defaultDecision,
    prefix_rules: rules.prefixRules.map((r) => ({
      rule: renderPattern(r),
      pattern: [[r.program], ...r.tail.map((t) => [...t])],
      decision: r.decision,
      ...(r.justification === undefined ? {} : { justification: r.justification }),
      file: r.source.file,
      line: r.source.line,
      column: r.source.column,
    })),
    host_executables: [...rules.hostExecutables].map(([name, paths]) => ({ name, paths: [...paths] })),
    network_rules: rules.networkRules.map((r) => ({
      host: r.host,
      protocol: r.protocol,
      decision: r.decision,
      ...(r.justification === undefined ? {} : { justification: r.justification }),
    })),
  };
}

export function commandResult(result: CheckResult, files: readonly string[]): CommandCheckResult {
  return {
    kind: 'command',
    decision: result.decision,
    reason: result.reason,
    matched_rules: result.matched.map(matchJson),
    parts: result.parts.map(partJson),
    problems: [...result.problems],
    files: [...files],
  };
}

function partJson(p: PartResult): CommandPart {
  return {
    command: [...p.command],
    origin: p.origin,
    decision: p.decision,
    matched_rules: p.matched.map(matchJson),
    reasons: [...p.reasons],
    redirections: [...p.redirections],
  };
}

export function matchJson(m: RuleMatch): RuleMatchJson {
  return {
    kind: m.kind,
    rule: m.rule,
    pattern: m.pattern.map((alts) => [...alts]),
    matched_prefix: [...m.matchedPrefix],
    decision: m.decision,
    ...(m.justification === undefined ? {} : { justification: m.justification }),
    file: m.file,
    line: m.line,
    column: m.column,
    ...(m.resolvedProgram === undefined ? {} : { resolved_program: m.resolvedProgram }),
  };
}
