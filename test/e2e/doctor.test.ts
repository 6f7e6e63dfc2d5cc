/**
 * `harness doctor`: each agent's binary, credentials and model access, and bubblewrap, from the
 * built binary with a controlled environment.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessBin, isolatedEnv, repoRoot, tempDir } from '@harness/testkit';

const dir = tempDir('harness-doctor-');
afterAll(() => dir.remove());

function doctor(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [harnessBin, ...args, 'doctor'],
      { env },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (child.exitCode ?? 1), stdout, stderr }),
    );
  });
}

describe('harness doctor', () => {
  const env = isolatedEnv(dir.path, {
    PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
    ANTHROPIC_API_KEY: 'sk-ant-doctor-check',
  });

  it('reports model access per agent: the gateway where Harness holds the key, why not elsewhere', async () => {
    const run = await doctor(['--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      agents: { name: string; usable: boolean; model_access: string | null; reason: string | null }[];
      sandbox: { bwrap_path: string | null };
      model_gateway: string;
    };
    const byName = Object.fromEntries(report.agents.map((a) => [a.name, a]));
    expect(byName.anthropic_api).toMatchObject({ usable: true, model_access: 'gateway' });
    expect(byName.claude?.model_access).toBe('gateway');
    expect(byName.codex).toMatchObject({ model_access: 'direct' });
    expect(byName.codex?.reason ?? '').toContain('no OpenAI credentials');
    expect(report.model_gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.stdout).not.toContain('sk-ant-doctor-check');
  });

  it('prints a readable report that names bubblewrap', async () => {
    const run = await doctor([], env);
    expect(run.stdout).toMatch(/^anthropic_api\s+usable/m);
    expect(run.stdout).toMatch(/model access: gateway/);
    expect(run.stdout).toMatch(/^bubblewrap\s+/m);
  });
});
