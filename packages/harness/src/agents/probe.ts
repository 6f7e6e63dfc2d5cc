import { execFile } from 'node:child_process';
import { findOnPath, probeSandbox, type SandboxCapabilities } from '../sandbox/index.js';

export interface BinaryProbe {
  path: string | null;
  version: string | null;
  problem: string | null;
}

/** Finds an agent binary on PATH and asks it for its version. */
export async function probeBinary(
  cli: string,
  versionArgs: string[],
  env: Record<string, string>,
): Promise<BinaryProbe> {
  const found = findOnPath(cli, env.PATH);
  if (found === null) return { path: null, version: null, problem: `${cli} was not found on PATH` };
  return new Promise((resolve) => {
    const child = execFile(found, versionArgs, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) {
        resolve({
          path: found,
          version: null,
          problem: `${found} ${versionArgs.join(' ')} failed: ${String(stderr).trim() || error.message}`,
        });
        return;
      }
      const match = /\d+\.\d+\.\d+[\w.-]*/.exec(String(stdout));
      resolve({ path: found, version: match?.[0] ?? String(stdout).trim(), problem: null });
    });
    child.stdin?.end();
  });
}

let cached: Promise<SandboxCapabilities> | null = null;

/** The host does not change under us: probe bubblewrap once per process. */
export function sharedSandboxProbe(): Promise<SandboxCapabilities> {
  cached ??= probeSandbox();
  return cached;
}
