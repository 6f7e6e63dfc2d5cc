import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type SkillDetail,
  type SkillListResult,
  skillDetailSchema,
  skillListResultSchema,
  skillWriteScopeSchema,
} from '@harness/protocol';
import { z } from 'zod';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { parseFrontmatter, splitFrontmatter } from '../../skills/index.js';
import { globalOptions } from '../global-options.js';
import { printData } from '../output.js';
import { addServerOptions, resolveServer, ServerClient } from './server-client.js';

/**
 * `harness skill …`: the skills a running server offers (project, user, admin, built-in, the hidden
 * ones and the skipped ones), one skill's text, and creating or deleting one in a `.harness/skills`
 * folder — a client of `harness serve -t http` over JSON-RPC, like `harness gc`. Writing needs the
 * operator key or API token, which the client finds itself.
 */

function projectOf(command: Command): string | undefined {
  return globalOptions(command).project?.at(-1)?.split('=')[0];
}

function scopeOption(value: string): 'project' | 'user' {
  const parsed = skillWriteScopeSchema.safeParse(value);
  if (!parsed.success)
    throw new HarnessError(ErrorCodes.invalidParams, `--scope: expected project or user, got ${value}`);
  return parsed.data;
}

export function registerSkillCommand(program: Command): void {
  const skill = program
    .command('skill')
    .description('skills on a running server: list, show, create, delete');

  addServerOptions(
    skill
      .command('list')
      .description('every skill that wins its name, then the hidden and the skipped ones')
      .option('--query <text>', 'only skills whose name or description holds this'),
  ).action(async (options: { query?: string }, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const project = projectOf(command);
    const params = {
      ...(project === undefined ? {} : { project_root: project }),
      ...(options.query === undefined ? {} : { query: options.query }),
    };
    const list = skillListResultSchema.parse(await client.rpc('skill/list', params));
    printData(list, globalOptions(command).json === true, () => renderList(list));
  });

  addServerOptions(skill.command('show').description('one skill, with its text').argument('<name>')).action(
    async (name: string, _options: unknown, command: Command) => {
      const client = new ServerClient(resolveServer(command));
      const project = projectOf(command);
      const detail = skillDetailSchema.parse(
        await client.rpc('skill/get', { name, ...(project === undefined ? {} : { project_root: project }) }),
      );
      printData(detail, globalOptions(command).json === true, () => renderDetail(detail));
    },
  );

  addServerOptions(
    skill
      .command('create')
      .description('write <name>/SKILL.md into the project’s (or with --scope user, your) .harness/skills')
      .argument('<name>')
      .requiredOption(
        '--file <path>',
        'the skill’s markdown; its frontmatter description is used unless --description is given',
      )
      .option('--description <text>', 'what the skill does and when to use it')
      .option('--scope <scope>', 'project (default with -p/--project) or user', scopeOption),
  ).action(
    async (
      name: string,
      options: { file: string; description?: string; scope?: 'project' | 'user' },
      command: Command,
    ) => {
      const client = new ServerClient(resolveServer(command));
      const { description, body } = readSkillSource(options.file, options.description);
      const project = projectOf(command);
      const params = {
        name,
        description,
        body,
        ...(project === undefined ? {} : { project_root: project }),
        ...(options.scope === undefined ? {} : { scope: options.scope }),
      };
      const detail = skillDetailSchema.parse(await client.rpc('skill/create', params));
      printData(detail, globalOptions(command).json === true, () => `created ${detail.name}: ${detail.path}`);
    },
  );

  addServerOptions(
    skill
      .command('delete')
      .description('remove a skill from the project’s (or with --scope user, your) .harness/skills')
      .argument('<name>')
      .option('--scope <scope>', 'project (default with -p/--project) or user', scopeOption),
  ).action(async (name: string, options: { scope?: 'project' | 'user' }, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const project = projectOf(command);
    const params = {
      name,
      ...(project === undefined ? {} : { project_root: project }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    };
    const result = z
      .object({ deleted: z.literal(true), path: z.string() })
      .parse(await client.rpc('skill/delete', params));
    printData(result, globalOptions(command).json === true, () => `deleted ${name}: ${result.path}`);
  });
}

/** The description (from --description, else the file's frontmatter) and the body after the frontmatter. */
function readSkillSource(file: string, given: string | undefined): { description: string; body: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `--file: cannot read ${file}: ${(error as Error).message}`,
    );
  }
  let split;
  let declared: unknown;
  try {
    split = splitFrontmatter(text);
    declared = split.frontmatter === null ? undefined : parseFrontmatter(split.frontmatter, 2)['description'];
  } catch (error) {
    throw new HarnessError(ErrorCodes.invalidParams, `--file: ${file}: ${(error as Error).message}`);
  }
  const description = given ?? (typeof declared === 'string' ? declared : undefined);
  if (description === undefined || description.trim() === '') {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `--description: ${file} has no description in its frontmatter; give one with --description`,
    );
  }
  return { description, body: split.body };
}

function renderList(list: SkillListResult): string {
  const lines = list.skills.map((s) => {
    const score = s.score === null ? '' : ` score ${s.score.toFixed(2)}`;
    return `${s.name.padEnd(24)} ${s.scope.padEnd(8)} v${s.version} uses ${s.uses}${score}  ${s.description.split('\n')[0]?.slice(0, 80) ?? ''}`;
  });
  for (const s of list.shadowed) lines.push(`hidden: ${s.name} at ${s.shadowed.path} (by ${s.winner.path})`);
  for (const w of list.warnings) lines.push(`warning: ${w.path}: ${w.reason}`);
  for (const e of list.errors) lines.push(`skipped: ${e.path}: ${e.reason}`);
  return lines.length === 0 ? 'no skills' : lines.join('\n');
}

function renderDetail(skill: SkillDetail): string {
  return [
    `${skill.name} (${skill.scope}, v${skill.version}, ${skill.uses} uses)`,
    skill.path,
    skill.description,
    '',
    skill.body.trimEnd(),
  ].join('\n');
}
