import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Draft, LearnParams, LearnResult } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { type Confine, learn, type LearnKind, type ProjectRef, readOnlyAgent } from '../../quality/index.js';
import { requireOperator } from '../operator.js';
import { guardConfinement } from '../replay-sandbox.js';
import type { HandlerDependencies } from './handlers.js';
import type { HandlerTable } from './router.js';

/**
 * `learn/rules` and `learn/skills`: the project is a registered one (by name or checkout) or the
 * server's own root, any other path is refused; the agent is the registry's choice in a read-only
 * sandbox, draft guards are replayed in bubblewrap, and the drafts go to the GC drafts store. Only
 * the operator may ask (it spends the agent budget, and agents reach the loopback API). Each run is
 * recorded as a `learn.rules` / `learn.skills` event.
 */
export function learnHandlers(deps: HandlerDependencies): Pick<HandlerTable, 'learn/rules' | 'learn/skills'> {
  return {
    'learn/rules': (params, { connection }) => {
      requireOperator(connection.operator, 'learning rules', deps.operatorKeyFile);
      return run('rules', params, deps);
    },
    'learn/skills': (params, { connection }) => {
      requireOperator(connection.operator, 'learning skills', deps.operatorKeyFile);
      return run('skills', params, deps);
    },
  };
}

async function run(kind: LearnKind, params: LearnParams, deps: HandlerDependencies): Promise<LearnResult> {
  const project = await projectOf(params.project_root, deps);
  const drafts = deps.store.gc.drafts;
  // Filled in once there is something to learn: a project without lessons costs no probe.
  const replay: { extraPolicyPaths: readonly string[]; confine?: Confine } = {
    extraPolicyPaths: deps.rules.policyPaths,
  };
  const result = await learn(kind, {
    project,
    store: deps.store,
    agent: async () => {
      await deps.agents.assertSandboxUsable('read-only');
      const confine = await guardConfinement(project.root);
      if (confine !== null) replay.confine = confine;
      const adapter = await deps.agents.select();
      const info = (await deps.agents.list()).find((a) => a.name === adapter.name);
      return readOnlyAgent(adapter, {
        cwd: project.root,
        sandbox: deps.agents.sandboxFor(project.root, 'read-only'),
        limits: deps.agents.defaultLimits(),
        model: info?.default_model ?? null,
      });
    },
    adoptedDrafts: () => drafts.list({ project: project.name, status: 'adopted', limit: 100 }),
    saveDraft: (draft: Draft) => drafts.insert(draft),
    ...(params.max_drafts === undefined ? {} : { maxDrafts: params.max_drafts }),
    ...(params.min_occurrences === undefined ? {} : { minOccurrences: params.min_occurrences }),
    replay,
    clock: deps.clock,
  });
  // What was learned is on record, like every other step of the quality loop.
  await deps.events.append({
    kind: `learn.${kind}`,
    reason: result.reason ?? null,
    data: {
      project: project.name,
      drafts: result.drafts.map((d) => d.id),
      cost_usd: result.cost_usd,
      errors: result.errors,
    },
  });
  return result;
}

/**
 * A registered project by name or checkout, or the server's own root (named by its path, as its
 * threads know it); the default project when none is given.
 */
export async function projectOf(ref: string | undefined, deps: HandlerDependencies): Promise<ProjectRef> {
  const projects = await deps.projects.list();
  const serverRoot = real(deps.serverRoot);
  if (ref === undefined) {
    const fallback = projects.find((p) => p.default) ?? projects[0];
    return fallback ? { name: fallback.name, root: fallback.root } : { name: serverRoot, root: serverRoot };
  }
  const byName = projects.find((p) => p.name === ref);
  if (byName) return { name: byName.name, root: byName.root };
  const root = real(ref);
  const byRoot = projects.find((p) => real(p.root) === root);
  if (byRoot) return { name: byRoot.name, root: byRoot.root };
  if (root === serverRoot) return { name: root, root };
  throw new HarnessError(ErrorCodes.forbidden, `project_root: ${ref} is not a registered project`, {
    data: { path: ['project_root'] },
  });
}

function real(p: string): string {
  try {
    return realpathSync(path.resolve(p));
  } catch {
    return path.resolve(p);
  }
}
