import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type Finding, type Severity, severityAtLeast } from '@harness/protocol';
import { describeError } from '../core/index.js';
import { GUARDS_DIR, type GuardRun, type ProjectScan, type Rule, scanProject } from '../guards/index.js';
import {
  baseGuardScripts,
  baselineTree,
  changedFiles,
  type TaskChanges,
  type TaskFile,
} from './guard-files.js';
import type { StageContext } from './stages.js';

/**
 * The guard stage of validation: the project's guards as of the base commit (never scripts the
 * task wrote: guards run outside the agent's sandbox) and the catalogue's rules run over the files
 * the task changed; what was already there at the base commit is not the task's, so it is
 * subtracted; what remains at or above `[validation] guard_severity` goes back to the agent like a
 * failed command and blocks delivery. Like the other stages it neither stores nor announces: the
 * run records the scan and the `task.guards` event from what this returns.
 */

export type GuardThreshold = Severity | 'off';

/** A guard that did not finish normally: its findings may be incomplete, the task goes on. */
export interface BrokenGuard {
  readonly guard: string;
  readonly reason: string;
}

export type GuardCheck =
  /** Nothing to scan: guards off, no change, or no guard or rule applies to what changed. */
  | { readonly kind: 'skipped'; readonly reason: string; readonly guardsChanged: readonly string[] }
  /** The scan itself could not run (git, the file system): reported, never the task's fault. */
  | { readonly kind: 'error'; readonly message: string; readonly files: readonly string[] }
  | GuardScanned;

export interface GuardScanned {
  readonly kind: 'scanned';
  /** The scan of the worktree, findings limited to the changed files: what is recorded. */
  readonly scan: ProjectScan;
  readonly startedAt: Date;
  readonly durationMs: number;
  /** Findings the task brought in, and those already there at the base commit. */
  readonly fresh: readonly Finding[];
  readonly preexisting: readonly Finding[];
  /** The fresh findings at or above the threshold. */
  readonly blocking: readonly Finding[];
  readonly broken: readonly BrokenGuard[];
  /**
   * Guard scripts the task added, changed or deleted. The scanners are the worktree's, so a task
   * that edits them is judged by its own edit: said out loud for the reviewer and the timeline.
   */
  readonly guardsChanged: readonly string[];
  /** The rules of the blocking findings, for the agent's prompt. */
  readonly rules: ReadonlyMap<string, Rule>;
}

export interface GuardCheckOptions {
  readonly threshold: GuardThreshold;
  readonly rules: ReadonlyMap<string, Rule>;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Everything in the worktree is committed: there are no untracked files to list. */
  readonly committed?: boolean;
}

export async function checkGuards(ctx: StageContext, options: GuardCheckOptions): Promise<GuardCheck> {
  if (options.threshold === 'off')
    return { kind: 'skipped', reason: 'guard_severity is "off"', guardsChanged: [] };
  const { runner } = ctx.deps;
  const { path: worktree, baseCommit } = ctx.worktree;
  // Independent reads of the same repository: side by side.
  const [scripts, changes] = await Promise.allSettled([
    baseGuardScripts(runner, worktree, baseCommit),
    changedFiles(runner, worktree, baseCommit, { untracked: options.committed !== true }),
  ]);
  try {
    if (scripts.status === 'rejected') throw scripts.reason;
    if (changes.status === 'rejected') throw changes.reason;
    return await checkWith(
      ctx,
      { ...options, threshold: options.threshold },
      scripts.value.dir,
      changes.value,
    );
  } catch (error) {
    return { kind: 'error', message: describeError(error), files: [] };
  } finally {
    if (scripts.status === 'fulfilled') await scripts.value.dispose();
  }
}

/** The check, with the base commit's guard scripts in `guardsDir` and what the task changed. */
async function checkWith(
  ctx: StageContext,
  options: GuardCheckOptions & { readonly threshold: Severity },
  guardsDir: string,
  changes: TaskChanges,
): Promise<GuardCheck> {
  const { runner, clock } = ctx.deps;
  const { path: worktree } = ctx.worktree;
  let files: TaskFile[] = [];
  try {
    files = await regularFiles(worktree, changes.files);
    const guardsChanged = [...files.map((f) => f.path), ...changes.deleted]
      .filter((file) => file.startsWith(`${GUARDS_DIR}/`))
      .sort();
    const skip = (reason: string): GuardCheck => ({ kind: 'skipped', reason, guardsChanged });
    if (files.length === 0) return skip('no changed file to scan');
    if (!(await hasGuards(guardsDir)) && !anyRuleApplies(options.rules, files))
      return skip('no guard or rule applies to the changed files');
    const startedAt = clock.now();
    const scanOptions = {
      files: files.map((f) => f.path),
      rules: options.rules,
      guardsDir,
      processes: runner,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    };
    const scan = await scanProject(worktree, scanOptions);
    const before = await baselineScan(ctx, files, scanOptions);
    const { fresh, preexisting } = subtractBaseline(scan.findings, before.findings);
    const threshold = options.threshold;
    const blocking = fresh.filter((f) => severityAtLeast(f.severity, threshold));
    return {
      kind: 'scanned',
      scan,
      startedAt,
      durationMs: clock.now().getTime() - startedAt.getTime(),
      fresh,
      preexisting,
      blocking,
      // A guard that broke on the base files found less there, so more of what it finds now
      // counts as new: said too.
      broken: [
        ...brokenGuards(scan.guards),
        ...brokenGuards(before.guards).map((b) => ({
          ...b,
          reason: `on the base commit's files: ${b.reason}`,
        })),
      ],
      guardsChanged,
      rules: options.rules,
    };
  } catch (error) {
    return { kind: 'error', message: describeError(error), files: files.map((f) => f.path) };
  }
}

/** The same scan over the changed files as they were at the base commit (none for new files). */
async function baselineScan(
  ctx: StageContext,
  files: readonly TaskFile[],
  scanOptions: Parameters<typeof scanProject>[1] & {},
): Promise<Pick<ProjectScan, 'findings' | 'guards'>> {
  if (files.every((f) => f.before === null)) return { findings: [], guards: [] };
  const tree = await baselineTree(ctx.deps.runner, ctx.worktree.path, ctx.worktree.baseCommit, files);
  try {
    const there = await regularFiles(tree.root, files);
    return await scanProject(tree.root, { ...scanOptions, files: there.map((f) => f.path) });
  } finally {
    await tree.dispose();
  }
}

/**
 * The files that are plain files under `root`. A symlink's content is a path, not code, and one
 * that leads out of the tree would make the scan refuse the whole list: it is left out.
 */
async function regularFiles(root: string, files: readonly TaskFile[]): Promise<TaskFile[]> {
  const kept: TaskFile[] = [];
  for (const file of files) {
    const info = await lstat(path.join(root, file.path)).catch(() => null);
    if (info?.isFile() === true) kept.push(file);
  }
  return kept;
}

const findingKey = (f: Finding): string => JSON.stringify([f.rule_id, f.file, f.message]);

/**
 * What the task brought in: each finding not matched by one at the base on (rule, file, message),
 * as a multiset — lines move, so they are not compared; two identical findings where the base had
 * one leave one fresh.
 */
export function subtractBaseline(
  current: readonly Finding[],
  baseline: readonly Finding[],
): { fresh: Finding[]; preexisting: Finding[] } {
  const left = new Map<string, number>();
  for (const f of baseline) left.set(findingKey(f), (left.get(findingKey(f)) ?? 0) + 1);
  const fresh: Finding[] = [];
  const preexisting: Finding[] = [];
  for (const f of current) {
    const key = findingKey(f);
    const count = left.get(key) ?? 0;
    if (count > 0) {
      left.set(key, count - 1);
      preexisting.push(f);
    } else fresh.push(f);
  }
  return { fresh, preexisting };
}

/**
 * A guard whose run went wrong: it could not start, timed out, was killed, or exited above 1
 * (grep-style scanners exit 1 when they find nothing, so 0 and 1 are both normal).
 */
export function brokenGuards(runs: readonly GuardRun[]): BrokenGuard[] {
  const broken: BrokenGuard[] = [];
  for (const run of runs) {
    const stderr = run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
    const why =
      run.error !== undefined
        ? `could not run: ${run.error}`
        : run.timedOut
          ? `timed out after ${run.durationMs}ms`
          : run.exitCode === null
            ? 'was killed by a signal'
            : run.exitCode > 1
              ? `exited with code ${run.exitCode}`
              : null;
    if (why !== null) broken.push({ guard: run.guard, reason: stderr === '' ? why : `${why}: ${stderr}` });
  }
  return broken;
}

/** Any scanner in `dir` (hidden files are not scanners). */
async function hasGuards(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.some((name) => !name.startsWith('.'));
}

/** A catalogue rule with no `paths`, or one whose globs match a changed file. */
export function anyRuleApplies(rules: ReadonlyMap<string, Rule>, files: readonly TaskFile[]): boolean {
  for (const rule of rules.values()) {
    if (rule.paths.length === 0) return true;
    const globs = rule.paths.map(globToRegExp);
    if (files.some((f) => globs.some((g) => g.test(f.path)))) return true;
  }
  return false;
}

/** `**` any number of directories, `*` and `?` within one, `{a,b}` either; a bare name matches at any depth. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob.charAt(i + 1) === '*') {
      const slash = glob.charAt(i + 2) === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  return new RegExp(glob.includes('/') ? `^${out}$` : `^(?:.*/)?${out}$`);
}

const where = (f: Finding): string => (f.line === null ? f.file : `${f.file}:${f.line}`);

/**
 * What the agent is told: each blocking finding as `file:line [RULE-ID] (severity) title — message`,
 * then each rule's text once, within `maxChars` (the list first: it is what must be fixed).
 */
export function formatGuardFeedback(check: GuardScanned, threshold: Severity, maxChars = 8_000): string {
  const lines = check.blocking.map(
    (f) =>
      `- ${where(f)} [${f.rule_id}] (${f.severity})${f.title === null ? '' : ` ${f.title}`} — ${f.message}`,
  );
  const ruleTexts = [...new Set(check.blocking.map((f) => f.rule_id))].flatMap((id) => {
    const text = check.rules.get(id)?.description.trim() ?? '';
    return text === '' ? [] : [`### ${id}\n${text}`];
  });
  const head = [
    `The project's guards found ${check.blocking.length} problem(s) of severity ${threshold} or worse in the files you changed:`,
    ...lines,
  ].join('\n');
  const rules = ruleTexts.length === 0 ? '' : `\n\nWhat the rules say:\n${ruleTexts.join('\n\n')}`;
  const tail =
    '\n\nFix each of them (or remove the code that triggers them), then finish your turn; the guards run again afterwards.';
  const body = `${head}${rules}`;
  const room = maxChars - tail.length;
  return body.length <= room ? `${body}${tail}` : `${body.slice(0, room - 20)}\n[… cut …]${tail}`;
}
