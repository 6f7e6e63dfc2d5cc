/**
 * The binary's quick start-up paths (bin/harness.js): `--version` without loading the CLI, and
 * `rule …` from the rule command's bundle — which must answer as the whole CLI does and must not
 * load the config schema, the server or the GitHub client. Needs `npm run build` (it makes the bundle).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessBin, isolatedEnv, repoRoot, tempDir } from '@harness/testkit';

const dir = tempDir('harness-start-up-');
afterAll(() => dir.remove());

/** Runs the binary; with `recordImports`, every module it imports is listed in the returned `imported`. */
function harness(args: string[], options: { recordImports?: boolean } = {}) {
  const log = path.join(dir.path, `imports-${Math.random().toString(36).slice(2)}.txt`);
  const preload = options.recordImports ? ['--import', importRecorder()] : [];
  const run = spawnSync(process.execPath, [...preload, harnessBin, ...args], {
    env: isolatedEnv(dir.path, { IMPORT_LOG: log }),
    cwd: dir.path,
    encoding: 'utf8',
    timeout: 20_000,
  });
  const imported = options.recordImports ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, imported };
}

/** A preload module that registers a resolve hook appending each resolved URL to $IMPORT_LOG. */
function importRecorder(): string {
  const hooks = path.join(dir.path, 'record-hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.IMPORT_LOG, resolved.url + '\\n');
  return resolved;
}\n`,
  );
  const register = path.join(dir.path, 'record-imports.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  return pathToFileURL(register).href;
}

function write(rel: string, text: string): string {
  const file = path.join(dir.path, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const policy = write(
  'policy.star',
  `prefix_rule(pattern = ["git", ["status", "log"]], decision = "allow")
prefix_rule(pattern = ["git", "push"], decision = "prompt", justification = "touches a remote")
prefix_rule(pattern = ["rm", "-rf"], decision = "forbidden", justification = "recursive delete")
`,
);

describe('harness --version', () => {
  it('prints the package version, as the whole CLI does, without loading the CLI', () => {
    const { version } = JSON.parse(
      readFileSync(path.join(repoRoot, 'packages/harness/package.json'), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const quick = harness([flag], { recordImports: true });
      expect(quick.code).toBe(0);
      expect(quick.stdout).toBe(`${version}\n`);
      expect(quick.imported.filter((url) => url.startsWith('file:'))).toEqual([
        pathToFileURL(harnessBin).href,
      ]);
    }
    const whole = harness(['--json', '--version']); // not the quick path: the CLI's commander answers
    expect(whole.code).toBe(0);
    expect(whole.stdout).toBe(`${version}\n`);
  });
});

describe('harness rule (the rule bundle)', () => {
  it('checks a command against a policy file with the documented exit codes', () => {
    const cases = [
      [['git', 'status'], 'allow', 0],
      [['git push origin main'], 'prompt', 2],
      [['rm', '-rf', '/'], 'forbidden', 3],
    ] as const;
    for (const [command, decision, code] of cases) {
      const run = harness(['rule', 'check', policy, '--', ...command]);
      expect(run.code, command.join(' ')).toBe(code);
      expect(run.stdout.split('\n')[0]).toBe(decision);
    }
    const json = harness(['--json', 'rule', 'check', policy, '--', 'git', 'push']);
    expect(JSON.parse(json.stdout)).toMatchObject({ decision: 'prompt' });
  });

  it('loads the bundle, and neither the config schema nor any server or GitHub package', () => {
    const run = harness(['rule', 'check', policy, '--', 'git', 'log'], { recordImports: true });
    expect(run.code).toBe(0);
    const ours = run.imported.filter((url) => url.includes('/packages/'));
    expect(
      ours.some((url) => url.endsWith('/dist/bundle/rule-main.js')),
      'run `npm run build`',
    ).toBe(true);
    const heavy = run.imported.filter((url) =>
      /\/node_modules\/(zod|pino|smol-toml|@octokit|better-sqlite3|hono|ws|@opentelemetry)\//.test(url),
    );
    expect(heavy).toEqual([]);
    expect(ours.filter((url) => url.includes('/dist/') && !url.includes('/dist/bundle/'))).toEqual([
      pathToFileURL(path.join(repoRoot, 'packages/harness/dist/cli/start-up.js')).href,
    ]);
  });

  it('reads the config for a project directory (loaded on demand) and lists its rules', () => {
    const project = path.join(dir.path, 'project');
    write('project/.harness/policy/base.star', 'prefix_rule(pattern = ["ls"], decision = "allow")\n');
    const extra = write('extra.star', 'prefix_rule(pattern = ["curl"], decision = "forbidden")\n');
    const config = write('config.toml', `[rules]\nexec_policy_paths = [${JSON.stringify(extra)}]\n`);
    const run = harness(['-c', config, 'rule', 'load', project]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: 2 rules from 2 files/);
    expect(run.stdout).toContain(extra);

    const broken = write('broken.toml', '[rules]\nexec_policy_path = []\n');
    const refused = harness(['--config', broken, 'rule', 'load', project]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(broken);
  });

  it('runs a project’s guards and policy load when no command is given', () => {
    const project = path.join(dir.path, 'guarded');
    write('guarded/.harness/policy/base.star', 'prefix_rule(pattern = ["ls"], decision = "allow")\n');
    const run = harness(['rule', 'check', project]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/policy: 1 rules from 1 files/);
  });

  it('answers help and bad usage as the whole CLI does', () => {
    const help = harness(['rule', 'check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: harness rule check/);
    expect(help.stdout).toMatch(/--config <path>/); // the global options are shown too
    const unknown = harness(['rule', 'check', policy, '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--frobnicate'/);
    const error = harness(['rule', 'load', write('bad.star', 'prefix_rule(pattern = [])\n')]);
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/bad\.star/);
  });
});
