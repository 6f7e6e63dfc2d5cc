import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { stringify } from 'smol-toml';
import {
  defaultProject,
  describeError,
  ErrorCodes,
  expandHome,
  formatConfigIssue,
  isHarnessError,
  loadConfig,
  maskSecrets,
  resolveProjectSettings,
  type ConfigErrorData,
  type HarnessConfig,
  type LoadConfigOptions,
} from '../../core/index.js';
import { type CommandIo, processIo } from '../command-io.js';

/**
 * `harness config show|validate`. Output streams, environment and exit status are injectable so the
 * commands can be exercised in-process; by default they are the real process's.
 */

export type ConfigCommandIo = CommandIo;

interface GlobalOptions {
  config?: string;
  project?: string | string[];
  json?: boolean;
}

/** picocolors judges the real process streams (NO_COLOR, FORCE_COLOR, TTY); anything injected gets plain text. */
function colors(writer: CommandIo['stdout']) {
  const isProcessStream = writer === process.stdout || writer === process.stderr;
  return pc.createColors(isProcessStream && pc.isColorSupported);
}

function loadOptions(opts: GlobalOptions, io: ConfigCommandIo, configPath?: string): LoadConfigOptions {
  const flags = opts.project === undefined ? [] : [opts.project].flat();
  const options: LoadConfigOptions = { projectFlags: flags, env: io.env, cwd: io.cwd };
  if (io.home !== undefined) options.home = io.home;
  const explicit = configPath ?? opts.config;
  if (explicit !== undefined) options.configPath = explicit;
  return options;
}

/** One line per problem, `file: key.path: message`, for config errors; the message otherwise. */
function errorLines(error: unknown): string[] {
  if (isHarnessError(error) && error.code === ErrorCodes.config) {
    const data = error.data as ConfigErrorData;
    return data.issues.map((issue) => formatConfigIssue(issue, data.file));
  }
  return [describeError(error)];
}

function showConfig(opts: GlobalOptions, io: ConfigCommandIo): void {
  let loaded;
  try {
    loaded = loadConfig(loadOptions(opts, io));
  } catch (error) {
    for (const line of errorLines(error)) io.stderr.write(`${colors(io.stderr).red('error')}: ${line}\n`);
    io.setExitCode(1);
    return;
  }
  const masked = maskSecrets(loaded.config) as Record<string, unknown>;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ file: loaded.file, config: masked }, null, 2)}\n`);
    return;
  }
  const source = loaded.file ?? 'none (built-in defaults)';
  io.stdout.write(
    `# Effective harness configuration. Source file: ${source}\n# Secrets are shown as "****".\n\n`,
  );
  io.stdout.write(`${stringify(masked)}\n`);
}

interface ValidationReport {
  ok: boolean;
  file: string | null;
  projects: number;
  default_project: string | null;
  overlays: string[];
  errors: string[];
}

/** Each project's root must exist, and its overlay (if any) must parse and obey the review rule. */
function checkProjectOverlays(config: HarnessConfig, flags: string[], report: ValidationReport): void {
  config.projects.forEach((project, i) => {
    let isDir = false;
    try {
      isDir = statSync(project.root).isDirectory();
    } catch {
      // A missing root is reported below like any other problem.
    }
    if (!isDir) {
      const flag = flags.find((f) => f.split('=')[0]?.trim() === project.name);
      const source = flag === undefined ? (report.file ?? '(defaults)') : `--project ${JSON.stringify(flag)}`;
      report.errors.push(`${source}: projects[${i}].root: ${project.root} is not a directory`);
      return;
    }
    try {
      const settings = resolveProjectSettings(config, project.name);
      if (settings.overlay_file !== null) report.overlays.push(settings.overlay_file);
    } catch (error) {
      report.errors.push(...errorLines(error));
    }
  });
}

function validateConfig(target: string | undefined, opts: GlobalOptions, io: ConfigCommandIo): void {
  const configPath = target === undefined ? undefined : path.resolve(io.cwd, expandHome(target, io.home));
  const report: ValidationReport = {
    ok: false,
    file: null,
    projects: 0,
    default_project: null,
    overlays: [],
    errors: [],
  };
  try {
    const options = loadOptions(opts, io, configPath);
    const loaded = loadConfig(options);
    report.file = loaded.file;
    report.projects = loaded.config.projects.length;
    report.default_project = defaultProject(loaded.config)?.name ?? null;
    checkProjectOverlays(loaded.config, options.projectFlags ?? [], report);
  } catch (error) {
    report.file = configPath ?? null;
    report.errors.push(...errorLines(error));
  }
  report.ok = report.errors.length === 0;
  io.setExitCode(report.ok ? 0 : 1);
  if (opts.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) io.stdout.write(`${colors(io.stdout).green('ok')}: ${summary(report)}\n`);
  else for (const line of report.errors) io.stderr.write(`${colors(io.stderr).red('error')}: ${line}\n`);
}

function summary(report: ValidationReport): string {
  const source = report.file ?? 'no config file (built-in defaults)';
  const projects = report.projects === 1 ? '1 project' : `${report.projects} projects`;
  const def = report.default_project === null ? '' : `, default "${report.default_project}"`;
  const overlays = report.overlays.length === 1 ? '1 overlay' : `${report.overlays.length} overlays`;
  return `${source}: ${projects}${def}, ${overlays}`;
}

export function registerConfigCommand(program: Command, io: Partial<ConfigCommandIo> = {}): void {
  const resolved: ConfigCommandIo = { ...processIo(), ...io };
  const config = program.command('config').description('Show or check the configuration');
  config
    .command('show')
    .description('Print the effective configuration (file, flags and environment merged; secrets masked)')
    .action((_options: unknown, command: Command) => {
      showConfig(command.optsWithGlobals<GlobalOptions>(), resolved);
    });
  config
    .command('validate')
    .argument('[path]', 'config file to check (default: the one that would be loaded)')
    .description('Check a config file and the project overlays it references')
    .action((target: string | undefined, _options: unknown, command: Command) => {
      validateConfig(target, command.optsWithGlobals<GlobalOptions>(), resolved);
    });
}
