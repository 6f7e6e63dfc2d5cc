import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { describeError, isHarnessError } from '../../core/index.js';
import {
  checkForReport,
  commandResult,
  DECISIONS,
  describePolicy,
  loadPolicyFiles,
  resolvePolicyPaths,
  type Decision,
} from '../../policy/index.js';
import type { CommandCheckResult, ProjectCheckResult, RuleLoadResult, Severity } from '@harness/protocol';
import { type CommandIo, processIo } from '../command-io.js';

/**
 * `harness rule load PATH` and `harness rule check PATH [-- CMD ARGS…]`. PATH is a policy file or a
 * project directory (its `.harness/policy/*.star` plus config `rules.exec_policy_paths`). Exit
 * codes of `check` with a command: 0 allow, 2 prompt, 3 forbidden, 1 error. Without a command,
 * PATH must be a directory and is scanned (`--files`, `--fix`): 0 clean, 1 when findings at
 * `high` or above remain or the policy does not load, 2 when the scan cannot run (bad arguments,
 * not a directory, a file outside the project, a broken rule file).
 */
export type RuleCommandIo = CommandIo;

interface GlobalOptions {
  json?: boolean;
}

interface CheckOptions {
  default?: Decision;
  guardTimeout?: string;
  files?: string[];
  fix?: boolean;
  dataDir?: string;
}

export const RULE_EXIT_CODES = { allow: 0, error: 1, prompt: 2, forbidden: 3 } as const;
/** Most severe first; written out here because the protocol's values would load zod at start-up. */
const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
/** A project scan's exit codes. */
export const SCAN_EXIT_CODES = { clean: 0, findings: 1, usage: 2 } as const;

export function registerRuleCommand(program: Command, io: RuleCommandIo = processIo()): void {
  const rule = program
    .command('rule')
    .description('execution policy: load and check Starlark policies, run guard scanners');
  rule
    .command('load')
    .description('validate a policy file (or a project’s policy files) and list its rules')
    .argument('<path>', 'a .star policy file, or a project directory')
    .addOption(defaultOption())
    .exitOverride()
    .action(async (target: string, options: CheckOptions, command: Command) => {
      await guarded(io, async () => {
        const policy = await loadFor(target, command, io, options.default);
        // A project's rule files are checked too: a broken one fails the load with its file:line.
        const isDir = (await stat(target)).isDirectory();
        const catalogue = isDir
          ? await (await import('./rule-on-demand.js')).ruleCatalogue(target, command, io)
          : {};
        const data: RuleLoadResult = { ...catalogue, ...describePolicy(policy) };
        print(io, command, data, () => renderLoad(data));
        io.setExitCode(0);
      });
    });
  rule
    .command('check')
    .description('check a command against a policy (after --), or scan a project with its rules')
    .argument('<path>', 'a .star policy file, or a project directory')
    .argument(
      '[command...]',
      'the command: several words are an argv; one word is parsed as a shell command line',
    )
    .addOption(defaultOption())
    .option('--guard-timeout <ms>', 'timeout for each guard script', '60000')
    .option('--files <files...>', 'scan only these files (relative to PATH)')
    .option('--fix', "apply the rules' fix_pattern to the reported lines, then scan again")
    .option('--data-dir <path>', 'where the scan is stored (default: server.data_dir)')
    .exitOverride()
    .action(async (target: string, words: string[], options: CheckOptions, command: Command) => {
      if (words.length === 0) return scanCommand(target, options, command, io);
      await guarded(io, async () => {
        if (options.files !== undefined || options.fix === true) {
          throw new Error('--files and --fix scan a project: leave out the command to scan');
        }
        const policy = await loadFor(target, command, io, options.default);
        const [only] = words;
        const checked = words.length === 1 && only !== undefined ? only : words;
        const data = commandResult(await checkForReport(policy, checked, io.cwd), policy.files);
        print(io, command, data, () => renderCheck(data));
        io.setExitCode(RULE_EXIT_CODES[data.decision]);
      });
    });
}

function defaultOption(): Option {
  return new Option('--default <decision>', 'decision for commands no rule matches').choices([...DECISIONS]);
}

async function scanCommand(
  target: string,
  options: CheckOptions,
  command: Command,
  io: RuleCommandIo,
): Promise<void> {
  let data: ProjectCheckResult;
  try {
    const info = await stat(target).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new Error(
        `${target} is not a project directory; to check a command, pass it after \`--\`: harness rule check ${target} -- CMD ARGS…`,
      );
    }
    const timeout = Number(options.guardTimeout);
    if (!Number.isInteger(timeout) || timeout <= 0)
      throw new Error(
        `--guard-timeout must be a positive number of milliseconds, got ${options.guardTimeout}`,
      );
    const { scanProjectCommand } = await import('./rule-scan.js');
    data = await scanProjectCommand(
      target,
      {
        ...(options.files === undefined ? {} : { files: options.files }),
        fix: options.fix === true,
        guardTimeoutMs: timeout,
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      },
      command,
      io,
    );
  } catch (error) {
    const code = isHarnessError(error) ? ` [${error.code}]` : '';
    io.stderr.write(`error: ${describeError(error)}${code}\n`);
    io.setExitCode(SCAN_EXIT_CODES.usage);
    return;
  }
  print(io, command, data, () => renderProject(data));
  io.setExitCode(data.ok ? SCAN_EXIT_CODES.clean : SCAN_EXIT_CODES.findings);
}

async function loadFor(
  target: string,
  command: Command,
  io: RuleCommandIo,
  defaultDecision: Decision | undefined,
) {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new Error(`${target}: no such file or directory`);
  // Config policy paths belong to projects; an explicit policy file is checked on its own (and
  // so without loading the config at all: that keeps `rule check FILE -- CMD` quick to start).
  const extra = info.isDirectory()
    ? (await import('./rule-on-demand.js')).configPolicyPaths(command, io)
    : [];
  const paths = await resolvePolicyPaths(target, extra);
  if (paths.length === 0)
    throw new Error(
      `${target}: no policy files (expected .harness/policy/*.star or rules.exec_policy_paths in config)`,
    );
  return loadPolicyFiles(paths, defaultDecision === undefined ? {} : { defaultDecision });
}

async function guarded(io: RuleCommandIo, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const code = isHarnessError(error) ? ` [${error.code}]` : '';
    io.stderr.write(`error: ${describeError(error)}${code}\n`);
    io.setExitCode(RULE_EXIT_CODES.error);
  }
}

function print(io: RuleCommandIo, command: Command, data: unknown, human: () => string): void {
  const json = command.optsWithGlobals<GlobalOptions>().json === true;
  io.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

function renderLoad(data: RuleLoadResult): string {
  const n = data.prefix_rules.length + data.network_rules.length;
  const lines = [
    `ok: ${n} rule${n === 1 ? '' : 's'} from ${data.files.length} file${data.files.length === 1 ? '' : 's'} (unmatched commands: ${data.default_decision})`,
  ];
  for (const r of data.prefix_rules) {
    lines.push(
      `  ${r.decision.padEnd(9)} ${r.rule}  ${r.file}:${r.line}${r.justification ? `  — ${r.justification}` : ''}`,
    );
  }
  for (const r of data.network_rules)
    lines.push(
      `  ${r.decision.padEnd(9)} network ${r.protocol}://${r.host}${r.justification ? `  — ${r.justification}` : ''}`,
    );
  for (const h of data.host_executables)
    lines.push(
      `  host_executable ${h.name}: ${h.paths.length > 0 ? h.paths.join(', ') : '(no path resolves)'}`,
    );
  if (data.rules !== undefined) {
    const own = data.rules.filter((r) => r.origin !== 'builtin').length;
    lines.push(`rule catalogue: ${data.rules.length} rules (${own} from rule files, the rest built in)`);
    for (const r of data.rules.filter((rule) => rule.origin !== 'builtin'))
      lines.push(`  ${r.severity.padEnd(9)} ${r.id}: ${r.title}  ${r.source.file}:${r.source.line}`);
    for (const s of data.shadowed ?? []) lines.push(`  ${s.id} at ${s.hidden} is hidden by ${s.by}`);
  }
  return lines.join('\n');
}

function renderCheck(data: CommandCheckResult): string {
  const lines = [data.decision, `  ${data.reason}`];
  for (const part of data.parts) {
    const origin = part.origin === 'command' ? '' : `  (${part.origin})`;
    lines.push(`  ${part.decision.padEnd(9)} ${part.command.join(' ')}${origin}`);
    for (const m of part.matched_rules) {
      lines.push(
        `      rule ${m.decision.padEnd(9)} ${m.rule}  ${m.file}:${m.line}${m.justification ? `  — ${m.justification}` : ''}`,
      );
    }
    for (const reason of part.reasons) lines.push(`      note ${reason}`);
  }
  for (const p of data.problems) lines.push(`  problem: ${p}`);
  return lines.join('\n');
}

function renderProject(data: ProjectCheckResult): string {
  const lines: string[] = [];
  if (data.fixed) {
    const { fixes_applied: n, files_changed: files } = data.fixed;
    lines.push(
      `fixed: ${n} finding${n === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`,
    );
  }
  for (const severity of SEVERITIES) {
    const found = data.findings.filter((f) => f.severity === severity);
    if (found.length === 0) continue;
    lines.push(`${severity} (${found.length})`);
    for (const f of found) {
      const title = f.title === null ? '' : ` ${f.title}:`;
      lines.push(`  ${f.file}:${f.line ?? '-'}  ${f.rule_id}${title} ${f.message}  [${f.guard}]`);
    }
  }
  for (const g of data.garbage) lines.push(`warning: unparseable output from guard ${g.guard}: ${g.line}`);
  for (const g of data.guards) {
    if (g.timed_out) lines.push(`warning: guard ${g.guard} timed out after ${g.duration_ms} ms`);
    if (g.error) lines.push(`warning: guard ${g.guard} could not run: ${g.error}`);
  }
  const policy = data.policy.error
    ? `policy error: ${data.policy.error}`
    : `policy: ${data.policy.rule_count} rules from ${data.policy.files.length} files`;
  lines.push(policy);
  const counts = SEVERITIES.map((s) => `${data.by_severity[s] ?? 0} ${s}`).join(', ');
  const n = data.findings.length;
  lines.push(
    `${data.project}: ${n} finding${n === 1 ? '' : 's'} (${counts}) from ${data.guards.length} guards` +
      `${data.scan_id === null ? '' : `, stored as ${data.scan_id}`}${data.ok ? '' : ' — FAILED'}`,
  );
  return lines.join('\n');
}
