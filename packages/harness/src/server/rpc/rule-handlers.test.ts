import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger, systemClock } from '../../core/index.js';
import { EventLog } from '../../observe/index.js';
import { ProjectRegistry } from '../../projects/index.js';
import { SqliteStore } from '../../store/index.js';
import { ruleHandlers } from './rule-handlers.js';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'rule-handlers-')));
  store = SqliteStore.open(path.join(dir, 'data'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function project(name: string): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, '.git'), { recursive: true });
  writeFileSync(path.join(root, 'app.py'), 'def f(x=[]):\n    return x\n');
  return root;
}

function handlers(allowed: string[], serverRoot?: string) {
  const file = path.join(dir, 'config.toml');
  const shop = project('shop');
  writeFileSync(file, `[[projects]]\nname = "shop"\nroot = "${shop}"\n`);
  const { config } = loadConfig({ configPath: file, env: {}, home: dir });
  const table = ruleHandlers({
    store,
    events: new EventLog(store, silentLogger),
    projects: new ProjectRegistry(config, store, systemClock),
    rules: { policyPaths: [], discoveryPaths: [], allowedProjectRoots: allowed },
    ...(serverRoot === undefined ? {} : { serverRoot }),
  });
  return (params: { project_root: string; files?: string[] }) =>
    table['rule/check'](params, {} as never) as Promise<{ project: string; scan_id: string }>;
}

describe('rule/check on the server', () => {
  it('scans a registered project (also through a symlink to it) under its name, and stores the scan', async () => {
    const check = handlers([]);
    const shop = path.join(dir, 'shop');
    symlinkSync(shop, path.join(dir, 'shop-link'));
    const result = await check({ project_root: path.join(dir, 'shop-link') });
    expect(result.project).toBe('shop');
    const stored = await store.scans.latestFull('shop');
    expect(stored).toMatchObject({ id: result.scan_id, trigger: 'rpc', root: shop, finding_count: 1 });
  });

  it('scans a directory inside server.allowed_project_roots under its name, and refuses any other', async () => {
    const check = handlers([path.join(dir, 'allowed')]);
    const inside = project('allowed/web');
    const outside = project('elsewhere');
    expect((await check({ project_root: inside })).project).toBe('web');
    await expect(check({ project_root: outside })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(`project_root: ${outside} is not a registered project`),
    });
    await expect(check({ project_root: path.join(dir, 'missing') })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await store.scans.latestFull('elsewhere')).toBeNull();
  });

  it("scans the server's own root, registered or not, and nothing beside it", async () => {
    const own = project('own');
    const check = handlers([], own);
    expect((await check({ project_root: own })).project).toBe('own');
    await expect(check({ project_root: project('beside') })).rejects.toMatchObject({ code: 'forbidden' });
  });
});
