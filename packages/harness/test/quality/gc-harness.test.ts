/**
 * GC as the server assembles it (server/gc-wiring.ts): a Harness started with signal detectors,
 * a replay and a drafter handed in, driven over the in-process JSON-RPC transport — the run, the
 * draft with its replay, adoption writing into the project, and the run record a restart sees.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Draft, ReplayReport } from '@harness/protocol';
import { InProcessTestClient, makeRepo, tempDir } from '@harness/testkit';
import { AgentRegistry } from '../../src/agents/index.js';
import { createPorts } from '../../src/cli/compose.js';
import { parseConfig, silentLogger } from '../../src/core/index.js';
import { Harness, type GcWiring } from '../../src/server/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { ScriptedDrafter, guardAnswer, signal } from './gc-fixture.js';

const dirs: ReturnType<typeof tempDir>[] = [];
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  for (const d of dirs.splice(0)) d.remove();
});

const replay: ReplayReport = {
  replayed_at: '2026-03-01T00:00:00.000Z',
  tree: { findings: 1, files: 1, examples: [] },
  history: {
    commands_checked: 0,
    commands_blocked: 0,
    command_examples: [],
    findings_explained: 2,
    finding_examples: [],
  },
  skipped: [],
};

async function start(dir: string, root: string, wiring: GcWiring): Promise<InProcessTestClient> {
  const text = `[[projects]]\nname = "app"\nroot = ${JSON.stringify(root)}\ndefault = true\n`;
  const config = parseConfig(text, path.join(dir, 'config.toml'), { env: {}, home: dir });
  const harness = await Harness.start({
    config,
    store: SqliteStore.open(path.join(dir, 'data')),
    ports: createPorts(config, silentLogger),
    dataDir: path.join(dir, 'data'),
    agents: AgentRegistry.fromConfig(config.agents),
    gc: wiring,
  });
  harnesses.push(harness);
  const client = new InProcessTestClient(harness);
  await client.request('initialize', {});
  await client.request('initialized');
  return client;
}

async function call<T>(client: InProcessTestClient, method: string, params: unknown = {}): Promise<T> {
  const response = await client.request(method, params);
  if (!('result' in response)) throw new Error(`${method}: ${JSON.stringify(response)}`);
  return response.result as T;
}

describe('GC in the assembled server', () => {
  it('runs with the wired detectors, replay and drafter, and adopts over JSON-RPC', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const root = makeRepo(path.join(dir.path, 'app'), { 'src/a.ts': 'TODO\n' });
    const seen: string[] = [];
    const client = await start(dir.path, root, {
      signals: async (project) => {
        seen.push(`${project.name}@${project.root}`);
        return [signal('review_findings', 'todo', 6)];
      },
      replay: async () => replay,
      drafter: new ScriptedDrafter([guardAnswer('no-todo')]),
    });
    const report = await call<{ drafts: Draft[] }>(client, 'gc/run', { project: 'app' });
    expect(seen).toEqual([`app@${root}`]);
    const [draft] = report.drafts;
    expect(draft?.replay).toEqual(replay);
    const adopted = await call<{ written: string[] }>(client, 'gc/adopt', { draft_id: draft?.id });
    expect(adopted.written).toEqual(['.harness/guards/no-todo.sh']);
    expect(readFileSync(path.join(root, '.harness/guards/no-todo.sh'), 'utf8')).toContain('no-todo:found');
    const events = await call<{ events: { kind: string; data: { project?: string } }[] }>(
      client,
      'event/query',
      {
        kind: ['gc.run_started', 'gc.draft_created', 'gc.run_finished', 'gc.draft_adopted'],
      },
    );
    expect(events.events.map((e) => [e.kind, e.data.project])).toEqual([
      ['gc.run_started', 'app'],
      ['gc.draft_created', 'app'],
      ['gc.run_finished', 'app'],
      ['gc.draft_adopted', 'app'],
    ]);

    // A restarted server over the same data directory knows the run and the draft.
    for (const h of harnesses.splice(0)) await h.close();
    const again = await start(dir.path, root, {});
    const status = await call<{
      last_run: { status: string; drafts: number };
      drafts: Record<string, number>;
    }>(again, 'gc/status', { project: 'app' });
    expect(status.last_run).toMatchObject({ status: 'finished', drafts: 1 });
    expect(status.drafts).toMatchObject({ adopted: 1, pending: 0 });
  });
});
