import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '@harness/protocol';
import {
  type Clock,
  ErrorCodes,
  type HarnessConfig,
  HarnessError,
  type ProjectConfig,
  type ResolvedProjectSettings,
  isWithin,
  resolveProjectSettings,
} from '../core/index.js';
import type { ProjectRecord, Store } from '../store/index.js';

export interface ProjectInput {
  name: string;
  root: string;
  max_concurrent: number;
  default_agent?: string | undefined;
  reviewer_agent?: string | undefined;
  default: boolean;
}

/**
 * Projects from the config file (and `--project` flags) plus those registered at run time, which
 * are persisted. Config projects cannot be changed or removed over the API; they change with the
 * config. A task may name its project by name or by path.
 */
export class ProjectRegistry {
  constructor(
    private readonly config: HarnessConfig,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<Project[]> {
    const runtime = await this.store.projects.list();
    const defaultName = this.defaultName(runtime);
    return [
      ...this.config.projects.map((p) => this.fromConfig(p, defaultName)),
      ...runtime.map((r) => fromRecord(r, defaultName)),
    ];
  }

  async get(name: string): Promise<Project> {
    const project = (await this.list()).find((p) => p.name === name);
    if (!project) throw new HarnessError(ErrorCodes.notFound, `project not found: ${name}`);
    return project;
  }

  /** The name of the project whose root is `root` (symlinks resolved), or null: what events are tagged with. */
  async nameForRoot(root: string): Promise<string | null> {
    const wanted = safeRealpath(root);
    return (await this.list()).find((p) => safeRealpath(p.root) === wanted)?.name ?? null;
  }

  /** By name, else by directory, else the default project; see `resolveForTask`. */
  async resolve(ref: string | undefined): Promise<Project> {
    return (await this.resolveForTask(ref)).project;
  }

  /**
   * Like `resolve`, for a task: a path that no project has is refused, naming the path and how to
   * register it, unless it is inside `server.allowed_project_roots` — then it is registered now and
   * `registered` is true.
   */
  async resolveForTask(ref: string | undefined): Promise<{ project: Project; registered: boolean }> {
    const projects = await this.list();
    if (ref === undefined) {
      const fallback = projects.find((p) => p.default) ?? projects[0];
      if (!fallback) {
        throw new HarnessError(
          ErrorCodes.invalidParams,
          'project: no project given and none registered (see [[projects]] or POST /api/projects)',
          {
            data: { path: ['project'] },
          },
        );
      }
      return { project: fallback, registered: false };
    }
    const byName = projects.find((p) => p.name === ref);
    if (byName) return { project: byName, registered: false };
    if (!ref.includes('/'))
      throw new HarnessError(ErrorCodes.notFound, `project not found: ${ref}`, {
        data: { path: ['project'] },
      });
    const root = safeRealpath(path.resolve(ref));
    const byRoot = projects.find((p) => safeRealpath(p.root) === root);
    if (byRoot) return { project: byRoot, registered: false };
    const name = this.freeName(path.basename(root), projects);
    if (!this.config.server.allowed_project_roots.some((base) => isWithin(base, root))) {
      throw new HarnessError(
        ErrorCodes.forbidden,
        `project: ${root} is not a registered project. Register it in the config file ` +
          `([[projects]] name = "${name}", root = ${JSON.stringify(root)}), with --project ${name}=${root} when ` +
          `starting the server, or with POST /api/projects; or add a directory that contains it to ` +
          `server.allowed_project_roots, so that tasks register projects there on first use`,
        { data: { path: ['project'], root } },
      );
    }
    this.checkRoot(root, ['project']);
    const project = await this.register({ name, root, max_concurrent: 2, default: false });
    return { project, registered: true };
  }

  async register(input: ProjectInput): Promise<Project> {
    const projects = await this.list();
    const existing = projects.find((p) => p.name === input.name);
    if (existing?.source === 'config') {
      throw new HarnessError(
        ErrorCodes.conflict,
        `project ${input.name} is defined in the config file; change it there`,
      );
    }
    const root = this.checkRoot(input.root, ['root']);
    const record: ProjectRecord = {
      name: input.name,
      root,
      is_default: input.default,
      max_concurrent: input.max_concurrent,
      default_agent: input.default_agent ?? null,
      reviewer_agent: input.reviewer_agent ?? null,
      created_at: this.clock.now().toISOString(),
    };
    if (record.default_agent !== null && record.default_agent === record.reviewer_agent) {
      throw new HarnessError(
        ErrorCodes.invalidParams,
        `reviewer_agent: must differ from default_agent (${record.default_agent})`,
        {
          data: { path: ['reviewer_agent'] },
        },
      );
    }
    this.settingsFor(fromRecord(record, null), [record]);
    await this.store.projects.upsert(record);
    return this.get(input.name);
  }

  async remove(name: string): Promise<boolean> {
    const project = (await this.list()).find((p) => p.name === name);
    if (project?.source === 'config') {
      throw new HarnessError(
        ErrorCodes.conflict,
        `project ${name} is defined in the config file; remove it there`,
      );
    }
    return this.store.projects.delete(name);
  }

  /** Server defaults, the project entry and its `.harness/config.toml`, read afresh (edits apply to the next task). */
  async settings(name: string): Promise<ResolvedProjectSettings> {
    const project = await this.get(name);
    return this.settingsFor(project, await this.store.projects.list());
  }

  private settingsFor(project: Project, runtime: ProjectRecord[]): ResolvedProjectSettings {
    if (project.source === 'config') return resolveProjectSettings(this.config, project.name);
    const asConfig: ProjectConfig[] = runtime
      .filter((r) => r.name === project.name)
      .map(
        (r) =>
          ({
            name: r.name,
            root: r.root,
            default: false,
            max_concurrent: r.max_concurrent,
            ...(r.default_agent ? { default_agent: r.default_agent } : {}),
            ...(r.reviewer_agent ? { reviewer_agent: r.reviewer_agent } : {}),
          }) as ProjectConfig,
      );
    return resolveProjectSettings(
      { ...this.config, projects: [...this.config.projects, ...asConfig] },
      project.name,
    );
  }

  private checkRoot(root: string, where: string[]): string {
    const resolved = safeRealpath(path.resolve(root));
    const isDir = (() => {
      try {
        return statSync(resolved).isDirectory();
      } catch {
        return false;
      }
    })();
    if (!isDir)
      throw new HarnessError(
        ErrorCodes.invalidParams,
        `${where.join('.')}: ${root} is not an existing directory`,
        { data: { path: where } },
      );
    try {
      statSync(path.join(resolved, '.git'));
    } catch {
      throw new HarnessError(
        ErrorCodes.invalidParams,
        `${where.join('.')}: ${resolved} is not a git repository`,
        { data: { path: where } },
      );
    }
    const allowed = this.config.server.allowed_project_roots;
    if (allowed.length > 0 && !allowed.some((base) => isWithin(base, resolved))) {
      throw new HarnessError(
        ErrorCodes.forbidden,
        `${where.join('.')}: ${resolved} is outside server.allowed_project_roots`,
        {
          data: { path: where },
        },
      );
    }
    return resolved;
  }

  private defaultName(runtime: ProjectRecord[]): string | null {
    const runtimeDefault = runtime.filter((r) => r.is_default).at(-1);
    return (
      runtimeDefault?.name ??
      this.config.projects.find((p) => p.default)?.name ??
      this.config.projects[0]?.name ??
      runtime[0]?.name ??
      null
    );
  }

  private fromConfig(p: ProjectConfig, defaultName: string | null): Project {
    return {
      name: p.name,
      root: p.root,
      default: p.name === defaultName,
      max_concurrent: p.max_concurrent,
      default_agent: p.default_agent ?? null,
      reviewer_agent: p.reviewer_agent ?? null,
      source: 'config',
    };
  }

  private freeName(base: string, projects: Project[]): string {
    const clean = base.replace(/[^A-Za-z0-9._-]/g, '-') || 'project';
    let name = clean === 'default' ? 'default-project' : clean;
    for (let i = 2; projects.some((p) => p.name === name); i++) name = `${clean}-${i}`;
    return name;
  }
}

function fromRecord(r: ProjectRecord, defaultName: string | null): Project {
  return {
    name: r.name,
    root: r.root,
    default: r.name === defaultName,
    max_concurrent: r.max_concurrent,
    default_agent: r.default_agent,
    reviewer_agent: r.reviewer_agent,
    source: 'api',
  };
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
