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
import { runGuards, type GuardScan } from '../guards/index.js';
import { discoverPolicyFiles, expandPolicyPaths, loadPolicyFiles } from './load-policy.js';
import { gitAliasLookup } from './git-config.js';
import { checkCommandLineWithScripts } from './script-files.js';
import type { CheckResult, PartResult, Policy } from './policy.js';
import type { RuleMatch } from './rule-index.js';
import { renderPattern } from './rule-model.js';

/**
 * `rule/load` and `rule/check` as plain functions returning JSON-safe, snake_case results; the
 * JSON-RPC layer only validates, calls and serialises. The schemas are the protocol's.
 */
export interface RuleRpcContext {
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
  return describePolicy(policy);
}

export async function ruleCheck(
  params: unknown,
  ctx: RuleRpcContext = {},
): Promise<CommandCheckResult | ProjectCheckResult> {
  const p = parseParams(RuleCheckParamsSchema, params);
  const target = p.path ?? (p.project_root as string);
  if (p.command === undefined) return checkProject(target, ctx);
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

/** Guards plus a policy load: what `harness rule check <dir>` reports. */
export async function checkProject(root: string, ctx: RuleRpcContext = {}): Promise<ProjectCheckResult> {
  const scan = await runGuards(root, {
    timeoutMs: ctx.guardTimeoutMs,
    ...(ctx.processes === undefined ? {} : { processes: ctx.processes }),
  });
  let policy: ProjectCheckResult['policy'];
  try {
    const loaded = await loadFor(root, undefined, ctx);
    policy = {
      files: [...loaded.files],
      rule_count: loaded.rules.prefixRules.length + loaded.rules.networkRules.length,
    };
  } catch (error) {
    policy = { files: [], rule_count: 0, error: error instanceof Error ? error.message : String(error) };
  }
  return {
    kind: 'project',
    ok: scan.violations.length === 0 && policy.error === undefined,
    ...scanResult(scan),
    policy,
  };
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

function scanResult(scan: GuardScan): Pick<ProjectCheckResult, 'violations' | 'guards' | 'garbage'> {
  return {
    violations: scan.violations.map((v) => ({
      guard: v.guard,
      file: v.file,
      line: v.line,
      rule_id: v.ruleId,
      message: v.message,
    })),
    guards: scan.guards.map((g) => ({
      guard: g.guard,
      path: g.path,
      exit_code: g.exitCode,
      timed_out: g.timedOut,
      duration_ms: g.durationMs,
      ...(g.error === undefined ? {} : { error: g.error }),
    })),
    garbage: scan.garbage.map((g) => ({ guard: g.guard, line: g.line })),
  };
}
