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
import type { CommandCheckResult, ProjectCheckResult, RuleLoadResult } from '@harness/protocol';
import { type CommandIo, processIo } from '../command-io.js';

/**
 * `harness rule load PATH` and `harness rule check PATH [-- CMD ARGS…]`. PATH is a policy file or a
 * project directory (its `.harness/policy/*.star` plus config `rules.exec_policy_paths`). Exit
 * codes of `check` with a command: 0 allow, 2 prompt, 3 forbidden, 1 error; without a command it
 * runs the project's guards and policy load and exits 1 when anything is wrong.
 */
export type RuleCommandIo = CommandIo;

interface GlobalOptions {
  json?: boolean;
}

interface CheckOptions {
  default?: Decision;
  guardTimeout?: string;
}

export const RULE_EXIT_CODES = { allow: 0, error: 1, prompt: 2, forbidden: 3 } as const;

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
        const data = describePolicy(policy);
        print(io, command, data, () => renderLoad(data));
        io.setExitCode(0);
      });
    });
  rule
    .command('check')
    .description('check a command against a policy (after --), or scan a project with its guards')
    .argument('<path>', 'a .star policy file, or a project directory')
    .argument(
      '[command...]',
      'the command: several words are an argv; one word is parsed as a shell command line',
    )
    .addOption(defaultOption())
    .option('--guard-timeout <ms>', 'timeout for each guard script', '60000')
    .exitOverride()
    .action(async (target: string, words: string[], options: CheckOptions, command: Command) => {
      await guarded(io, async () => {
        if (words.length === 0) return checkProjectCommand(target, options, command, io);
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

async function checkProjectCommand(
  target: string,
  options: CheckOptions,
  command: Command,
  io: RuleCommandIo,
): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new Error(
      `${target} is not a project directory; to check a command, pass it after \`--\`: harness rule check ${target} -- CMD ARGS…`,
    );
  }
  const timeout = Number(options.guardTimeout);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new Error(`--guard-timeout must be a positive number of milliseconds, got ${options.guardTimeout}`);
  const { checkProject, configPolicyPaths } = await import('./rule-on-demand.js');
  const data = await checkProject(target, {
    extraPolicyPaths: configPolicyPaths(command, io),
    guardTimeoutMs: timeout,
  });
  print(io, command, data, () => renderProject(data));
  io.setExitCode(data.ok ? 0 : 1);
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
  for (const v of data.violations)
    lines.push(`${v.file}:${v.line ?? '-'}: ${v.rule_id}: ${v.message}  [${v.guard}]`);
  for (const g of data.garbage) lines.push(`warning: unparseable output from guard ${g.guard}: ${g.line}`);
  for (const g of data.guards) {
    if (g.timed_out) lines.push(`warning: guard ${g.guard} timed out after ${g.duration_ms} ms`);
    if (g.error) lines.push(`warning: guard ${g.guard} could not run: ${g.error}`);
  }
  const policy = data.policy.error
    ? `policy error: ${data.policy.error}`
    : `policy: ${data.policy.rule_count} rules from ${data.policy.files.length} files`;
  lines.push(policy);
  lines.push(
    `${data.guards.length} guards, ${data.violations.length} violations${data.ok ? '' : ' — FAILED'}`,
  );
  return lines.join('\n');
}
