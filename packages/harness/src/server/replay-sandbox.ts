import { sandboxSpec, buildBwrapArgv, probeSandbox } from '../sandbox/index.js';
import type { Confine } from '../quality/index.js';

/**
 * How replay confines a draft guard — code nobody has reviewed yet — when it runs it over a
 * project: bubblewrap with the host and the project read-only, a private /tmp and no network;
 * only the guard's own scratch directory is writable. Null when this host has no working
 * bubblewrap: replay then skips draft guards, saying why.
 */
export async function guardConfinement(root: string): Promise<Confine | null> {
  const caps = await probeSandbox();
  if (caps.bwrap_path === null) return null;
  const bwrapPath = caps.bwrap_path;
  const spec = sandboxSpec({ mode: 'read-only', workspace: root });
  return (argv, scratch) =>
    buildBwrapArgv(spec, [...argv], { bwrapPath, dropCapabilities: caps.is_root, stateDirs: [scratch] });
}
