import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { methods, type PlanUpdateParams } from '@harness/protocol';
import { describeError, describeIssues, ErrorCodes, HarnessError, isHarnessError } from '../../core/index.js';
import {
  applyPlanUpdate,
  lintPlan,
  type PlanFile,
  ProjectPlans,
  readPlanFile,
  summarize,
  writePlanFile,
} from '../../plans/index.js';
import { type CommandIo, processIo } from '../command-io.js';

/**
 * `harness plan init SPEC | status FILE | show FILE | update FILE --action … | lint FILE`: ExecPlan
 * files, worked on where they are (no server needed). Exit codes: 0 done, 1 an error or (lint)
 * problems found.
 */
interface UpdateOptions {
  action: string;
  description?: string;
  index?: string;
  done?: boolean;
  files?: string[];
  decision?: string;
  rationale?: string;
  author?: string;
  observation?: string;
  evidence?: string;
  text?: string;
}

export function registerPlanCommand(program: Command, io: CommandIo = processIo()): void {
  const plan = program
    .command('plan')
    .description('ExecPlans (PLANS.md): create, read, update and lint plan files');
  plan
    .command('init')
    .description('create a draft plan from a spec (its first # heading is the title)')
    .argument('<spec>', 'a Markdown file')
    .option('--project <dir>', 'the project the plan belongs to (default: the current directory)')
    .option('--out <path>', 'where to write it inside the project (default: .agent/plans/<id>.md)')
    .action(async (spec: string, options: { project?: string; out?: string }, command: Command) => {
      await guarded(io, async () => {
        const text = await readFile(path.resolve(io.cwd, spec), 'utf8');
        const root = path.resolve(io.cwd, options.project ?? '.');
        const out = options.out === undefined ? undefined : path.resolve(io.cwd, options.out);
        const file = await new ProjectPlans().init(root, text, out);
        print(io, command, result(file), () => `Created ExecPlan: ${file.plan.id}\n  ${file.absolute}`);
      });
    });
  plan
    .command('status')
    .description("a plan's title, status and progress")
    .argument('<file>', 'a plan file')
    .action(async (file: string, _options: object, command: Command) => {
      await guarded(io, async () => {
        const read = await planAt(io, file);
        const { title, status, progress } = summarize(read);
        print(io, command, result(read), () =>
          [`Plan: ${title}`, `Status: ${status}`, `Progress: ${progress.done}/${progress.total}`].join('\n'),
        );
      });
    });
  plan
    .command('show')
    .description('a plan as Harness writes it (Markdown), or its data with --json')
    .argument('<file>', 'a plan file')
    .action(async (file: string, _options: object, command: Command) => {
      await guarded(io, async () => {
        const read = await planAt(io, file);
        print(io, command, result(read), () => read.plan.toMarkdown().trimEnd());
      });
    });
  registerUpdate(plan, io);
  plan
    .command('lint')
    .description('name the missing and malformed sections of a plan file, by line')
    .argument('<file>', 'a plan file')
    .action(async (file: string, _options: object, command: Command) => {
      await guarded(io, async () => {
        const absolute = path.resolve(io.cwd, file);
        const report = lintPlan(await readFile(absolute, 'utf8'));
        print(io, command, { file: absolute, ...report }, () =>
          report.ok
            ? `ok: ${file}`
            : report.problems
                .map((p) => `${file}:${p.line}: ${p.section === null ? '' : `[${p.section}] `}${p.message}`)
                .join('\n'),
        );
        io.setExitCode(report.ok ? 0 : 1);
      });
    });
}

function registerUpdate(plan: Command, io: CommandIo): void {
  plan
    .command('update')
    .description('change a plan: its status, a milestone or step, a decision, a surprise or an outcome')
    .argument('<file>', 'a plan file')
    .requiredOption(
      '--action <action>',
      'activate | complete | abandon | milestone | step | decision | surprise | outcome',
    )
    .option('--description <text>', 'a new milestone or step')
    .option('--index <n>', 'the milestone or step (from 0) to check off')
    .option('--undone', 'uncheck it instead')
    .option('--files <files...>', "a new step's files")
    .option('--decision <text>')
    .option('--rationale <text>')
    .option('--author <name>')
    .option('--observation <text>')
    .option('--evidence <text>')
    .option('--text <text>', 'an outcome paragraph')
    .action(async (file: string, options: UpdateOptions & { undone?: boolean }, command: Command) => {
      await guarded(io, async () => {
        const read = await planAt(io, file);
        applyPlanUpdate(read.plan, updateParams(read, options));
        await writePlanFile(read, read.plan);
        const { status, progress } = summarize(read);
        print(
          io,
          command,
          result(read),
          () => `Updated ${file}: ${status}, ${progress.done}/${progress.total} done`,
        );
      });
    });
}

/** The options as `exec_plan/update` params, checked by the same schema the server uses. */
function updateParams(file: PlanFile, options: UpdateOptions & { undone?: boolean }): PlanUpdateParams {
  const { action, index, undone, ...rest } = options;
  const raw: Record<string, unknown> = {
    project_root: path.dirname(file.absolute),
    plan: file.path,
    action,
    ...rest,
  };
  if (index !== undefined) {
    raw.index = Number(index);
    raw.done = undone !== true;
  }
  const parsed = methods['exec_plan/update'].params.safeParse(raw);
  if (!parsed.success) throw new HarnessError(ErrorCodes.invalidParams, describeIssues(parsed.error));
  return parsed.data;
}

async function planAt(io: CommandIo, file: string): Promise<PlanFile> {
  const absolute = path.resolve(io.cwd, file);
  return readPlanFile(path.dirname(absolute), path.basename(absolute));
}

function result(file: PlanFile): object {
  return {
    plan_id: file.plan.id,
    path: file.absolute,
    plan: file.plan.toJSON(),
    progress: file.plan.progress(),
  };
}

async function guarded(io: CommandIo, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const code = isHarnessError(error) ? ` [${error.code}]` : '';
    io.stderr.write(`error: ${describeError(error)}${code}\n`);
    io.setExitCode(1);
  }
}

function print(io: CommandIo, command: Command, data: unknown, human: () => string): void {
  const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
  io.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}
