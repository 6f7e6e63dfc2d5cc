import { isWithin } from '../paths.js';
import { resolvePath, type PathContext } from './fields.js';
import { configError, formatPath, type ConfigIssue } from './issues.js';
import { isValidProjectName, projectNameExpected, type HarnessConfig, type ProjectConfig } from './schema.js';

/**
 * `[[projects]]` rules that span entries, and `--project name=path` flags, which are merged over the
 * file so a one-off run can point a configured project somewhere else without editing the file.
 */

export interface ProjectFlag {
  name: string;
  /** The path exactly as given; `mergeProjectFlags` resolves it against the working directory. */
  root: string;
}

export function parseProjectFlag(flag: string): ProjectFlag {
  const fail = (message: string) =>
    configError(null, [{ file: `--project ${JSON.stringify(flag)}`, path: '', message }]);
  const eq = flag.indexOf('=');
  if (eq < 0) throw fail('missing "=" (expected name=path, e.g. --project api=~/src/api)');
  const name = flag.slice(0, eq).trim();
  const root = flag.slice(eq + 1).trim();
  if (name === '') throw fail('empty project name (expected name=path)');
  if (root === '') throw fail('empty project path (expected name=path)');
  if (!isValidProjectName(name))
    throw fail(`bad project name ${JSON.stringify(name)} (expected ${projectNameExpected})`);
  return { name, root };
}

/** Flags win over same-named entries (root only; the entry's other settings stay); new names are appended. */
export function mergeProjectFlags(
  projects: readonly ProjectConfig[],
  flags: readonly string[],
  ctx: PathContext,
): ProjectConfig[] {
  const merged = projects.map((p) => ({ ...p }));
  const seen = new Set<string>();
  for (const raw of flags) {
    const flag = parseProjectFlag(raw);
    if (seen.has(flag.name)) {
      throw configError(null, [
        { file: `--project ${JSON.stringify(raw)}`, path: '', message: `project "${flag.name}" given twice` },
      ]);
    }
    seen.add(flag.name);
    const root = resolvePath(flag.root, ctx);
    const existing = merged.find((p) => p.name === flag.name);
    if (existing) existing.root = root;
    else merged.push({ name: flag.name, root, default: false, max_concurrent: 2 });
  }
  return merged;
}

/** Unique names, at most one default, roots inside `allowed_project_roots` when that list is set. */
export function checkProjects(config: HarnessConfig, flags: readonly string[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const firstIndex = new Map<string, number>();
  config.projects.forEach((project, i) => {
    const first = firstIndex.get(project.name);
    if (first === undefined) firstIndex.set(project.name, i);
    else
      issues.push({
        path: formatPath(['projects', i, 'name']),
        message: `duplicate project name "${project.name}" (already used by projects[${first}]; expected unique names)`,
      });
  });
  const defaults = config.projects.flatMap((p, i) => (p.default ? [i] : []));
  for (const i of defaults.slice(1)) {
    issues.push({
      path: formatPath(['projects', i, 'default']),
      message: `more than one project has default = true (projects[${defaults[0]}] already is; expected at most one)`,
    });
  }
  const allowed = config.server.allowed_project_roots;
  if (allowed.length > 0) {
    config.projects.forEach((project, i) => {
      if (!allowed.some((base) => isWithin(base, project.root))) {
        const flag = flags.find((f) => f.split('=')[0]?.trim() === project.name);
        issues.push({
          ...(flag === undefined ? {} : { file: `--project ${JSON.stringify(flag)}` }),
          path: formatPath(['projects', i, 'root']),
          message: `${project.root} is outside server.allowed_project_roots (expected a path under one of: ${allowed.join(', ')})`,
        });
      }
    });
  }
  return issues;
}

/** Makes the default explicit: the marked project, else the first. */
export function markDefaultProject(projects: ProjectConfig[]): ProjectConfig[] {
  if (projects.length === 0 || projects.some((p) => p.default)) return projects;
  return projects.map((p, i) => ({ ...p, default: i === 0 }));
}

/** The project used when a request names none; undefined when no project is configured. */
export function defaultProject(config: HarnessConfig): ProjectConfig | undefined {
  return config.projects.find((p) => p.default) ?? config.projects[0];
}
