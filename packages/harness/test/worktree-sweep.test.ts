/**
 * The server's worktree sweep after start-up: a worktree left on this host by a task that ended
 * elsewhere (here: one no task of the store is running) goes without a restart.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, tempDir } from '@harness/testkit';
import { AgentRegistry } from '../src/agents/index.js';
import { createPorts } from '../src/cli/compose.js';
import { createGit, createProcessRunner, parseConfig, silentLogger } from '../src/core/index.js';
import { Harness } from '../src/server/index.js';
import { SqliteStore } from '../src/store/index.js';
import { WorktreeManager } from '../src/tasks/index.js';

const dirs: ReturnType<typeof tempDir>[] = [];
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  for (const d of dirs.splice(0)) d.remove();
});

describe('the worktree sweep', () => {
  it('removes, while the server runs, a worktree whose task is not in flight', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const root = makeRepo(path.join(dir.path, 'app'));
    const text = `[[projects]]\nname = "app"\nroot = ${JSON.stringify(root)}\ndefault = true\n`;
    const config = parseConfig(text, path.join(dir.path, 'config.toml'), { env: {}, home: dir.path });
    const dataDir = path.join(dir.path, 'data');
    harnesses.push(
      await Harness.start({
        config,
        store: SqliteStore.open(dataDir),
        ports: createPorts(config, silentLogger),
        dataDir,
        agents: AgentRegistry.fromConfig(config.agents),
        worktreeSweepMs: 100,
      }),
    );
    // Made after start-up, as by a run this server no longer owns.
    const elsewhere = new WorktreeManager({
      git: createGit({ runner: createProcessRunner() }),
      root: path.join(dataDir, 'worktrees'),
      logger: silentLogger,
    });
    const left = await elsewhere.create({
      ...{ projectRoot: root, taskId: 'task-ended-elsewhere', remote: 'origin' },
      ...{ baseBranch: 'main', branchPrefix: 'harness/' },
    });
    // (The sweep may take it at once: `create` returning is what says it was made.)
    expect(left.path.startsWith(path.join(dataDir, 'worktrees'))).toBe(true);
    for (let i = 0; i < 100 && existsSync(left.path); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(left.path)).toBe(false);
  });
});
