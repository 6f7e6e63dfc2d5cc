import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { defaultDataDir, expandHome } from '../paths.js';
import { foldEnv } from './env.js';
import { configError, fromZodIssues, type ConfigIssue } from './issues.js';
import { checkProjects, markDefaultProject, mergeProjectFlags } from './projects.js';
import { checkReviewRules } from './reviewer.js';
import { buildConfigSchema, type HarnessConfig } from './schema.js';
import { parseToml, readConfigText } from './toml.js';

export interface LoadConfigOptions {
  /** `--config PATH`; must exist when given. */
  configPath?: string;
  /** `--project name=path` flags, merged over `[[projects]]` (flags win). */
  projectFlags?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
}

export type ParseConfigOptions = Omit<LoadConfigOptions, 'configPath'>;

export interface LoadedConfig {
  config: HarnessConfig;
  /** The file the config came from; null when none exists and everything is a default. */
  file: string | null;
}

interface Context {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
  projectFlags: string[];
}

function context(options: ParseConfigOptions): Context {
  return {
    env: options.env ?? process.env,
    cwd: path.resolve(options.cwd ?? process.cwd()),
    home: options.home ?? homedir(),
    projectFlags: options.projectFlags ?? [],
  };
}

/**
 * Which file would be loaded: `--config` > `HARNESS_CONFIG` > the XDG location if it exists > none.
 * Explicit choices are returned even when missing, so reading them reports the missing file.
 */
export function resolveConfigFile(options: LoadConfigOptions = {}): string | null {
  const ctx = context(options);
  const explicit = options.configPath ?? (ctx.env.HARNESS_CONFIG || undefined);
  if (explicit !== undefined) return path.resolve(ctx.cwd, expandHome(explicit, ctx.home));
  const xdg = ctx.env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(ctx.home, '.config');
  const candidate = path.join(base, 'harness', 'config.toml');
  return existsSync(candidate) ? candidate : null;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const file = resolveConfigFile(options);
  if (file === null) return { config: buildConfig({}, null, context(options)), file };
  return { config: parseConfig(readConfigText(file), file, options), file };
}

/** Parses and validates config text; `file` names it in errors and anchors its relative paths. */
export function parseConfig(text: string, file: string, options: ParseConfigOptions = {}): HarnessConfig {
  const ctx = context(options);
  const absolute = path.resolve(ctx.cwd, file);
  return buildConfig(parseToml(text, absolute), absolute, ctx);
}

function buildConfig(raw: Record<string, unknown>, file: string | null, ctx: Context): HarnessConfig {
  const schema = buildConfigSchema({
    home: ctx.home,
    baseDir: file === null ? ctx.cwd : path.dirname(file),
    defaultDataDir: defaultDataDir(ctx.env, ctx.home),
    defaultProjectRoot: ctx.cwd,
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw configError(file, fromZodIssues(schema, parsed.error.issues));
  const projects = mergeProjectFlags(parsed.data.projects, ctx.projectFlags, {
    home: ctx.home,
    baseDir: ctx.cwd,
  });
  const merged: HarnessConfig = { ...parsed.data, projects };
  const folded = foldEnv(merged, ctx.env);
  const issues: ConfigIssue[] = [
    ...checkBudgets(merged),
    ...checkProjects(merged, ctx.projectFlags),
    ...checkReviewRules(merged),
    ...folded.issues,
  ];
  if (issues.length > 0) throw configError(file, issues);
  return { ...folded.config, projects: markDefaultProject(folded.config.projects) };
}

function checkBudgets(config: HarnessConfig): ConfigIssue[] {
  const { budget_per_signal_usd: perSignal, total_budget_usd: total } = config.gc;
  if (perSignal <= total) return [];
  return [
    {
      path: 'gc.budget_per_signal_usd',
      message: `${perSignal} exceeds gc.total_budget_usd (${total}) (expected at most the total budget)`,
    },
  ];
}
