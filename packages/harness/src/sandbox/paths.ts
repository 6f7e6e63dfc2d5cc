import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, HarnessError, isWithin } from '../core/index.js';
import type { SandboxSpec } from './spec.js';

/** The deepest existing ancestor of `p`, resolved through symlinks. */
function realAncestor(p: string): string {
  let current = p;
  for (;;) {
    try {
      return path.join(realpathSync(current), path.relative(current, p));
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      current = parent;
    }
  }
}

/**
 * Resolves `requested` (relative to the workspace, or absolute) and refuses anything outside the
 * workspace, lexically or through a symlink. Returns the absolute path.
 */
export function resolveInsideWorkspace(workspace: string, requested: string): string {
  const root = path.resolve(workspace);
  const target = path.resolve(root, requested);
  if (!isWithin(root, target)) {
    throw new HarnessError(ErrorCodes.forbidden, `path ${requested} is outside the workspace`, {
      data: { path: requested },
    });
  }
  const realRoot = realAncestor(root);
  if (!isWithin(realRoot, realAncestor(target))) {
    throw new HarnessError(ErrorCodes.forbidden, `path ${requested} leaves the workspace through a symlink`, {
      data: { path: requested },
    });
  }
  return target;
}

/** Refuses a write the sandbox mode does not allow (read-only mode, or a protected path). */
export function assertWritable(spec: SandboxSpec, absolutePath: string): void {
  if (spec.mode === 'read-only') {
    throw new HarnessError(ErrorCodes.forbidden, `sandbox is read-only: cannot write ${absolutePath}`);
  }
  if (spec.mode === 'danger-full-access') return;
  for (const rel of spec.protected_paths) {
    if (isWithin(path.resolve(spec.workspace, rel), absolutePath)) {
      throw new HarnessError(ErrorCodes.forbidden, `${rel} is read-only in workspace-write mode`, {
        data: { path: absolutePath },
      });
    }
  }
}
