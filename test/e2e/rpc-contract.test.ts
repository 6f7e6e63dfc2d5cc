/**
 * The JSON-RPC contract, run unchanged over stdio, HTTP, WebSocket and the in-process transport:
 * handshake, envelopes, error codes, batches, ids, params validation, threads, agents, turns, events, rule
 * catalogue and project scans, ExecPlans, stats and notification routing. stdio and HTTP/WS run the built `harness` binary.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcFailure, RpcResponse, RpcSuccess } from '@harness/protocol';
import {
  HttpClient,
  InProcessTestClient,
  type RpcTestClient,
  StdioClient,
  WsClient,
  isolatedEnv,
  makeRepo,
  type RunningHarness,
  startHttpHarness,
  tempDir,
} from '@harness/testkit';
import { AgentRegistry } from '../../packages/harness/src/agents/index.js';
import { loadConfig, silentLogger } from '../../packages/harness/src/core/index.js';
import { createPorts } from '../../packages/harness/src/cli/compose.js';
import { Harness } from '../../packages/harness/src/server/index.js';
import { SqliteStore } from '../../packages/harness/src/store/index.js';

interface TransportFixture {
  name: string;
  multiClient: boolean;
  projectDir: string;
  start(): Promise<void>;
  client(): Promise<RpcTestClient>;
  stop(): Promise<void>;
}

function stdioFixture(): TransportFixture {
  const dir = tempDir();
  const clients: StdioClient[] = [];
  const projectDir = path.join(dir.path, 'project');
  return {
    name: 'stdio',
    multiClient: false,
    projectDir,
    async start() {
      mkdirSync(projectDir);
    },
    async client() {
      const client = StdioClient.start(path.join(dir.path, 'data'), isolatedEnv(dir.path), [
        '--project-root',
        projectDir,
      ]);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      dir.remove();
    },
  };
}

function networkFixture(kind: 'http' | 'ws'): TransportFixture {
  const dir = tempDir();
  const projectDir = path.join(dir.path, 'project');
  let server: RunningHarness;
  const clients: RpcTestClient[] = [];
  return {
    name: kind,
    multiClient: true,
    projectDir,
    async start() {
      mkdirSync(projectDir);
      server = await startHttpHarness(
        ['--transport', 'http', '--data-dir', path.join(dir.path, 'data'), '--project-root', projectDir],
        isolatedEnv(dir.path),
      );
    },
    async client() {
      const client = kind === 'http' ? new HttpClient(server.url) : await WsClient.connect(server.url);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await server.stop();
      dir.remove();
    },
  };
}

function inProcessFixture(): TransportFixture {
  const dir = tempDir();
  const projectDir = path.join(dir.path, 'project');
  let harness: Harness;
  return {
    name: 'in-process',
    multiClient: true,
    projectDir,
    async start() {
      mkdirSync(projectDir);
      const { config } = loadConfig({ env: {}, home: dir.path });
      harness = await Harness.start({
        config,
        store: SqliteStore.open(path.join(dir.path, 'data')),
        ports: createPorts(config, silentLogger),
        projectRoot: projectDir,
        dataDir: path.join(dir.path, 'data'),
        agents: AgentRegistry.fromConfig(config.agents),
        skillHomes: { home: dir.path, codexHome: null },
      });
    },
    async client() {
      return new InProcessTestClient(harness);
    },
    async stop() {
      await harness.close();
      dir.remove();
    },
  };
}

const ok = (response: RpcResponse | null): RpcSuccess => {
  if (!response || !('result' in response))
    throw new Error(`expected a result, got ${JSON.stringify(response)}`);
  return response;
};
const err = (response: unknown): RpcFailure => {
  const r = response as RpcFailure;
  if (!r || !('error' in r)) throw new Error(`expected an error, got ${JSON.stringify(response)}`);
  return r;
};

async function handshake(client: RpcTestClient): Promise<void> {
  ok(await client.request('initialize', { client_info: { name: 'contract' } }));
  expect(await client.send(JSON.stringify({ jsonrpc: '2.0', method: 'initialized' }), false)).toBeNull();
}

describe.each([stdioFixture(), networkFixture('http'), networkFixture('ws'), inProcessFixture()])(
  'JSON-RPC contract over $name',
  (fixture) => {
    let client: RpcTestClient;
    beforeAll(async () => {
      await fixture.start();
      client = await fixture.client();
    }, 60_000);
    afterAll(() => fixture.stop());

    it('refuses methods before the handshake, and initialized before initialize', async () => {
      const early = err(await client.request('health/check'));
      expect(early.error.code).toBe(-32003);
      expect(early.error.message).toMatch(/initialize/);
      expect(err(await client.request('initialized')).error.code).toBe(-32600);
    });

    it('completes the handshake and refuses a second initialize', async () => {
      const result = ok(await client.request('initialize', { client_info: { name: 'contract' } })).result as {
        name: string;
        protocol_version: string;
      };
      expect(result.name).toBe('harness');
      expect(result.protocol_version).toBe('1');
      expect(await client.send(JSON.stringify({ jsonrpc: '2.0', method: 'initialized' }), false)).toBeNull();
      expect(err(await client.request('initialize')).error.code).toBe(-32600);
      const health = ok(await client.request('health/check')).result as {
        status: string;
        store: { ok: boolean };
      };
      expect(health.status).toBe('ok');
      expect(health.store.ok).toBe(true);
    });

    it('answers unparseable input with -32700 and id null', async () => {
      for (const text of ['{"jsonrpc":"2.0",', 'not json', '{"a":1']) {
        const reply = err(await client.send(text));
        expect(reply.error.code).toBe(-32700);
        expect(reply.id).toBeNull();
      }
    });

    it('answers malformed requests with -32600, echoing a usable id', async () => {
      const cases: [string, unknown][] = [
        ['{"jsonrpc":"1.0","id":7,"method":"health/check"}', 7],
        ['{"jsonrpc":"2.0","id":8}', 8],
        ['{"jsonrpc":"2.0","id":{"x":1},"method":"health/check"}', null],
        ['{"jsonrpc":"2.0","id":9,"method":"health/check","params":[1,2]}', 9],
        ['{"jsonrpc":"2.0","id":10,"method":"health/check","extra":true}', 10],
        ['42', null],
        ['[]', null],
      ];
      for (const [text, id] of cases) {
        const reply = err(await client.send(text));
        expect(reply.error.code, text).toBe(-32600);
        expect(reply.id, text).toEqual(id);
      }
    });

    it('answers unknown methods with -32601 and accepts snake_case names', async () => {
      expect(err(await client.request('thread/explode')).error.code).toBe(-32601);
      const list = ok(await client.request('thread_list')).result as { threads: unknown[] };
      expect(Array.isArray(list.threads)).toBe(true);
    });

    it('answers invalid params with -32602 and the zod issue paths', async () => {
      const reply = err(await client.request('thread/start', { cwd: 5 }));
      expect(reply.error.code).toBe(-32602);
      expect((reply.error.data as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(['cwd']);
      const unknown = err(await client.request('event/query', { limt: 5 }));
      expect(unknown.error.code).toBe(-32602);
      expect(unknown.error.message).toMatch(/limt/);
      const range = err(await client.request('event/query', { limit: 0 }));
      expect((range.error.data as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(['limit']);
    });

    it('echoes ids exactly', async () => {
      for (const id of ['abc', 0, -1, 1.5, 'ünïcödé', null, 2 ** 53 - 1]) {
        const reply = (await client.send(
          JSON.stringify({ jsonrpc: '2.0', id, method: 'health/check' }),
        )) as RpcResponse;
        expect(reply.id).toStrictEqual(id);
      }
    });

    it('sends nothing for notifications, even failing ones', async () => {
      expect(await client.send('{"jsonrpc":"2.0","method":"health/check"}', false)).toBeNull();
      expect(await client.send('{"jsonrpc":"2.0","method":"no/such/method"}', false)).toBeNull();
    });

    it('handles batches: replies for requests only, none for an all-notification batch', async () => {
      const replies = (await client.send(
        JSON.stringify([
          { jsonrpc: '2.0', id: 'a', method: 'health/check' },
          { jsonrpc: '2.0', method: 'health/check' },
          { jsonrpc: '2.0', id: 'b', method: 'nope' },
          { foo: 1 },
          { jsonrpc: '2.0', id: 'c', method: 'thread/list', params: { limit: 1 } },
        ]),
      )) as RpcResponse[];
      expect(replies.map((r) => r.id)).toEqual(['a', 'b', null, 'c']);
      expect(err(replies[1]).error.code).toBe(-32601);
      expect(err(replies[2]).error.code).toBe(-32600);
      expect(
        await client.send(JSON.stringify([{ jsonrpc: '2.0', method: 'health/check' }]), false),
      ).toBeNull();
    });

    it('runs the thread lifecycle: start, list, fork, resume, delete', async () => {
      const started = ok(await client.request('thread/start', { title: 'contract', metadata: { k: 1 } }))
        .result as {
        thread_id: string;
        thread: { project_root: string; status: string };
      };
      expect(started.thread.status).toBe('idle');
      expect(started.thread.project_root).toBe(fixture.projectDir);
      const listed = ok(await client.request('thread/list', { limit: 100 })).result as {
        threads: { id: string }[];
      };
      expect(listed.threads.map((t) => t.id)).toContain(started.thread_id);
      const fork = ok(await client.request('thread/fork', { thread_id: started.thread_id })).result as {
        thread: { parent_thread_id: string };
      };
      expect(fork.thread.parent_thread_id).toBe(started.thread_id);
      const resumed = ok(await client.request('thread/resume', { thread_id: started.thread_id })).result as {
        thread: { id: string };
        turns: unknown[];
      };
      expect(resumed.thread.id).toBe(started.thread_id);
      expect(resumed.turns).toEqual([]);
      expect(ok(await client.request('thread/delete', { thread_id: started.thread_id })).result).toEqual({
        deleted: true,
      });
      expect(ok(await client.request('thread/delete', { thread_id: started.thread_id })).result).toEqual({
        deleted: false,
      });
      expect(err(await client.request('thread/resume', { thread_id: started.thread_id })).error.code).toBe(
        -32001,
      );
      const missingCwd = err(await client.request('thread/start', { cwd: '/definitely/not/here' }));
      expect(missingCwd.error.code).toBe(-32602);
      expect(missingCwd.error.message).toMatch(/not an existing directory/);
    });

    it('lists the agents, compacts a thread and answers every turn method, refusing what cannot run', async () => {
      const agents = ok(await client.request('agent/list')).result as {
        agents: { name: string; usable: boolean; reason: string | null }[];
      };
      expect(agents.agents.map((a) => a.name)).toEqual(['claude', 'codex', 'anthropic_api']);
      // No key anywhere in this environment: the API agent says why it cannot run.
      const api = agents.agents.find((a) => a.name === 'anthropic_api');
      expect(api?.usable).toBe(false);
      expect(api?.reason).toMatch(/key/i);
      const thread = ok(await client.request('thread/start', {})).result as { thread_id: string };
      expect(ok(await client.request('thread/compact', { thread_id: thread.thread_id })).result).toEqual({
        compacted: 0,
      });
      const refused = err(
        await client.request('turn/start', {
          thread_id: thread.thread_id,
          input: 'hi',
          agent: 'anthropic_api',
        }),
      );
      expect(refused.error.message).toMatch(/anthropic_api/);
      expect(
        err(await client.request('turn/start', { thread_id: thread.thread_id, input: '', agent: 'claude' }))
          .error.code,
      ).toBe(-32602);
      const skill = err(
        await client.request('turn/start', { thread_id: thread.thread_id, input: 'x', skills: ['../up'] }),
      );
      expect(skill.error.code).toBe(-32602);
      const missing = 'turn_00000000-0000-4000-8000-000000000000';
      for (const method of ['turn/status', 'turn/cancel'] as const) {
        expect(err(await client.request(method, { turn_id: missing })).error.code, method).toBe(-32001);
      }
      expect(
        err(await client.request('turn/steer', { turn_id: missing, instruction: 'go on' })).error.code,
      ).toBe(-32001);
      expect(err(await client.request('turn/steer', { turn_id: missing })).error.code).toBe(-32602);
    });

    it('logs and queries events by thread, kind, time range and limit', async () => {
      const thread = ok(await client.request('thread/start', {})).result as { thread_id: string };
      const before = new Date(Date.now() - 1000).toISOString();
      for (let i = 0; i < 5; i++) {
        const logged = ok(
          await client.request('event/log', {
            event: {
              kind: i % 2 ? 'tool.used' : 'note',
              thread_id: thread.thread_id,
              decision: 'pass',
              data: { i },
            },
          }),
        ).result as { logged: boolean; seq: number };
        expect(logged.logged).toBe(true);
      }
      const query = async (params: object) =>
        ok(await client.request('event/query', { thread_id: thread.thread_id, ...params })).result as {
          events: { kind: string; data: { i?: number } | null }[];
          next_after_seq: number | null;
        };
      expect((await query({ kind: 'tool.used' })).events.map((e) => e.data?.i)).toEqual([1, 3]);
      expect((await query({ kind: ['note', 'tool.used'] })).events.length).toBe(5);
      const page = await query({ limit: 2 });
      expect(page.events.length).toBe(2);
      expect(page.next_after_seq).not.toBeNull();
      expect(
        (await query({ since: before, until: new Date(Date.now() + 60_000).toISOString() })).events.length,
      ).toBe(6);
      expect((await query({ until: before })).events).toEqual([]);
      expect(
        err(
          await client.request('event/query', {
            since: '2030-01-01T00:00:00Z',
            until: '2020-01-01T00:00:00Z',
          }),
        ).error.code,
      ).toBe(-32602);
      expect(
        err(await client.request('event/log', { event: { kind: 'x', thread_id: 'thr_missing' } })).error.code,
      ).toBe(-32001);
      // A client cannot pass for a task (a forged cancel request would cancel it).
      const forged = err(
        await client.request('event/log', { event: { kind: 'task.cancel_requested', task_id: 'task_any' } }),
      );
      expect(forged.error.code).toBe(-32602);
      expect(forged.error.message).toContain('event.kind');
      const dup = { event: { id: 'evt-client-1', kind: 'note' } };
      expect((ok(await client.request('event/log', dup)).result as { duplicate: boolean }).duplicate).toBe(
        false,
      );
      expect((ok(await client.request('event/log', dup)).result as { duplicate: boolean }).duplicate).toBe(
        true,
      );
    });

    it('loads the rule catalogue and scans a registered project, refusing paths outside it', async () => {
      const base = realpathSync(path.dirname(fixture.projectDir));
      const root = path.join(base, `scanned-${fixture.name}`);
      mkdirSync(path.join(root, 'src'), { recursive: true });
      execFileSync('git', ['init', '-q', root]);
      writeFileSync(path.join(root, 'src', 'run.py'), 'try:\n    eval(code)\nexcept:\n    pass\n');
      writeFileSync(path.join(base, 'outside.py'), 'eval(x)\n');
      symlinkSync(path.join(base, 'outside.py'), path.join(root, 'src', 'link.py'));
      const loaded = ok(await client.request('rule/load', { project_root: root })).result as {
        rules_count: number;
        rules: { id: string; origin: string }[];
        shadowed: unknown[];
      };
      expect(loaded.rules_count).toBeGreaterThanOrEqual(20);
      expect(loaded.rules.find((r) => r.id === 'SEC-03')?.origin).toBe('builtin');

      const unregistered = err(await client.request('rule/check', { project_root: root }));
      expect(unregistered.error.code).toBe(-32007);
      expect(unregistered.error.message).toContain(`project_root: ${root} is not a registered project`);
      ok(await client.request('project/register', { id: `scanned-${fixture.name}`, root }));

      const scan = ok(await client.request('rule/check', { project_root: root, files: ['src/run.py'] }))
        .result as {
        kind: string;
        ok: boolean;
        scan_id: string;
        findings: { rule_id: string; severity: string; line: number }[];
        by_severity: Record<string, number>;
      };
      expect(scan).toMatchObject({
        kind: 'project',
        ok: false,
        by_severity: { critical: 0, high: 2, medium: 0, low: 0 },
      });
      expect(scan.scan_id).toMatch(/^scan_/);
      expect(scan.findings.map((f) => [f.line, f.rule_id, f.severity])).toEqual([
        [2, 'SEC-03', 'high'],
        [3, 'PY-01', 'high'],
      ]);
      const stored = ok(
        await client.request('event/query', { kind: 'rule.finding', session_id: scan.scan_id, limit: 10 }),
      ).result as { events: { tool: string; decision: string }[] };
      expect(stored.events.map((e) => [e.tool, e.decision])).toEqual([
        ['SEC-03', 'block'],
        ['PY-01', 'block'],
      ]);

      for (const [files, message] of [
        [['../outside.py'], `file path '../outside.py' is outside project root '${root}'`],
        [['src/link.py'], `file path 'src/link.py' is outside project root '${root}'`],
        [[], 'files: empty scan input'],
      ] as const) {
        const refused = err(await client.request('rule/check', { project_root: root, files }));
        expect(refused.error.code).toBe(-32602);
        expect(refused.error.message).toContain(message);
      }
      const mixed = err(
        await client.request('rule/check', { project_root: root, files: ['a'], command: 'ls' }),
      );
      expect(mixed.error.code).toBe(-32602);
    });

    it('learns nothing, asking no agent, from a project without lessons; refuses other paths', async () => {
      // Learning spends the agent budget: for the operator only, and agents reach HTTP and WebSocket.
      const operator = fixture.name === 'stdio' || fixture.name === 'in-process';
      for (const method of ['learn/rules', 'learn/skills']) {
        expect(err(await client.request(method, { max_drafts: 0 })).error.code).toBe(-32602);
        if (!operator) {
          const refused = err(await client.request(method, { project_root: fixture.projectDir }));
          expect(refused.error.code).toBe(-32007);
          expect(refused.error.message).toMatch(/learning (rules|skills) is for a person/);
          continue;
        }
        const learned = ok(await client.request(method, { project_root: fixture.projectDir })).result as {
          drafts: unknown[];
          reason?: string;
          errors: unknown[];
        };
        expect(learned).toMatchObject({
          drafts: [],
          errors: [],
          reason: 'no adopted drafts or recurring failures yet',
        });
        expect(ok(await client.request(method, {})).result).toMatchObject({ drafts: [], cost_usd: 0 });
        const recorded = ok(
          await client.request('event/query', { kind: method.replace('/', '.'), order: 'desc', limit: 1 }),
        ).result as { events: { reason: string | null; data: { drafts: unknown[] } }[] };
        expect(recorded.events[0]).toMatchObject({ reason: learned.reason, data: { drafts: [] } });
        expect(err(await client.request(method, { project_root: '/' })).error.code).toBe(-32007);
        expect(
          err(await client.request(method, { project_root: fixture.projectDir, extra: 1 })).error.code,
        ).toBe(-32602);
      }
    });

    it('lists, shows, creates, updates and deletes skills; writes for the operator only', async () => {
      const listed = ok(await client.request('skill/list', { query: 'review' })).result as {
        skills: { name: string; scope: string; version: number }[];
        errors: unknown[];
      };
      expect(listed.skills.find((s) => s.name === 'review')).toMatchObject({ scope: 'builtin', version: 1 });
      const shown = ok(await client.request('skill/get', { name: 'build-fix' })).result as { body: string };
      expect(shown.body).toMatch(/# Build fix/);
      expect(err(await client.request('skill/get', { name: 'no-such-skill' })).error.code).toBe(-32001);
      const escape = err(await client.request('skill/get', { name: '../etc' }));
      expect(escape.error.code).toBe(-32602);
      expect(escape.error.message).toMatch(/name: "\.\.\/etc" would leave the skills folder/);
      const params = {
        name: 'contract-skill',
        description: 'A skill made by the contract test',
        body: '# Contract\n',
        project_root: fixture.projectDir,
      };
      const operator = fixture.name === 'stdio' || fixture.name === 'in-process';
      if (!operator) {
        const refused = err(await client.request('skill/create', params));
        expect(refused.error.code).toBe(-32007);
        expect(refused.error.message).toMatch(/creating a skill is for a person/);
        expect(err(await client.request('skill/delete', { name: 'review' })).error.code).toBe(-32007);
        return;
      }
      const created = ok(await client.request('skill/create', params)).result as {
        path: string;
        scope: string;
      };
      expect(created).toMatchObject({
        scope: 'project',
        path: expect.stringMatching(/contract-skill\/SKILL\.md$/),
      });
      expect(err(await client.request('skill/create', params)).error.code).toBe(-32002);
      const updated = ok(
        await client.request('skill/update', {
          name: 'contract-skill',
          body: 'Changed\n',
          project_root: fixture.projectDir,
        }),
      ).result as { version: number; body: string };
      expect(updated).toMatchObject({ version: 2, body: 'Changed\n' });
      expect(err(await client.request('skill/update', { name: 'contract-skill' })).error.code).toBe(-32602);
      expect(
        ok(await client.request('skill/delete', { name: 'contract-skill', project_root: fixture.projectDir }))
          .result,
      ).toEqual({ deleted: true, path: created.path });
      expect(
        err(await client.request('skill/delete', { name: 'contract-skill', project_root: '/' })).error.code,
      ).toBe(-32007);
    });

    it('previews the AGENTS.md cascade of a registered project, cut and per agent; refuses other paths', async () => {
      const base = realpathSync(path.dirname(fixture.projectDir));
      const root = path.join(base, `instructed-${fixture.name}`);
      mkdirSync(path.join(root, 'pkg', 'app'), { recursive: true });
      execFileSync('git', ['init', '-q', root]);
      writeFileSync(path.join(root, 'AGENTS.md'), 'root rules\n');
      writeFileSync(path.join(root, 'pkg', 'AGENTS.md'), 'pkg plain\n');
      writeFileSync(path.join(root, 'pkg', 'AGENTS.override.md'), 'pkg override\n');
      writeFileSync(path.join(root, 'pkg', 'app', 'AGENTS.md'), 'x'.repeat(40_000));
      const refused = err(await client.request('context/preview', { project_root: root }));
      expect(refused.error.code).toBe(-32007);
      expect(refused.error.message).toContain(`project_root: ${root} is not a registered project`);
      ok(await client.request('project/register', { id: `instructed-${fixture.name}`, root }));

      const preview = ok(
        await client.request('context/preview', { project_root: root, cwd: 'pkg/app', agent: 'claude' }),
      ).result as {
        text: string;
        files: { path: string; bytes: number; included_bytes: number }[];
        cut: { path: string; cut_bytes: number; kind: string }[];
        delivery: { read_natively: string[]; given_by_harness: string | null };
      };
      const deep = path.join(root, 'pkg', 'app', 'AGENTS.md');
      expect(preview.files.map((f) => [path.relative(root, f.path), f.bytes])).toEqual([
        ['AGENTS.md', 11],
        [path.join('pkg', 'AGENTS.override.md'), 13],
        [path.join('pkg', 'app', 'AGENTS.md'), 40_000],
      ]);
      expect(preview.text.startsWith('root rules\n\n\npkg override\n\n\nxxx')).toBe(true);
      expect(Buffer.byteLength(preview.text)).toBe(32_768 + 4);
      expect(preview.cut).toEqual([{ path: deep, cut_bytes: 40_000 - (32_768 - 24), kind: 'partial' }]);
      // Claude Code reads the plain AGENTS.md files itself; the override is handed to it.
      expect(preview.delivery).toEqual({
        agent: 'claude',
        read_natively: [path.join(root, 'AGENTS.md'), deep],
        given_by_harness: 'pkg override\n',
      });

      for (const [params, code, message] of [
        [{ project_root: root, cwd: '..' }, -32602, `cwd: ${base} is outside project_root ${root}`],
        [{ project_root: root, cwd: 'missing' }, -32001, `cwd: ${path.join(root, 'missing')} does not exist`],
        [{ project_root: root, agent: 'gpt' }, -32602, 'expected one of "claude", "codex", "anthropic_api"'],
        [{ project_root: root, extra: 1 }, -32602, 'extra'],
      ] as const) {
        const bad = err(await client.request('context/preview', params));
        expect(bad.error.code).toBe(code);
        expect(bad.error.message).toContain(message);
      }
    });

    it('classifies a task: task/classify with its reasons, refusing bad params with their path', async () => {
      const classified = ok(
        await client.request('task/classify', {
          prompt: 'Refactor src/a.ts and src/b.ts',
          pr: { number: 4, labels: ['epic'], files: ['src/c.ts'] },
        }),
      ).result as { complexity: string; language: string; needs_write: boolean; reasons: string[] };
      expect(classified).toMatchObject({ complexity: 'complex', language: 'typescript', needs_write: true });
      expect(classified.reasons.slice(0, 2)).toEqual([
        'complex: mentions "refactor"',
        'complex: labelled "epic"',
      ]);
      const bad = err(await client.request('task/classify', { prompt: 'x', issue: { labels: 'bug' } }));
      expect(bad.error.code).toBe(-32602);
      expect(bad.error.message).toContain('issue.labels');
    });

    it('validates cross_review and preflight: params, the project, and a target that names nothing', async () => {
      const root = path.join(fixture.projectDir, 'reviewed');
      mkdirSync(root, { recursive: true });
      execFileSync('git', ['init', '-q', root]);
      ok(await client.request('project/register', { name: 'reviewed', root }));
      expect(err(await client.request('cross_review', { project_root: root })).error.code).toBe(-32602);
      const relative = err(await client.request('cross_review', { project_root: 'project', target: 'main' }));
      expect(relative.error.code).toBe(-32602);
      expect(relative.error.message).toMatch(/project_root: expected an absolute path/);
      expect(
        err(await client.request('cross_review', { project_root: '/', target: 'main' })).error.code,
      ).toBe(-32007);
      const nothing = err(
        await client.request('cross_review', { project_root: root, target: 'no-such-branch' }),
      );
      expect(nothing.error.code).toBe(-32602);
      expect(nothing.error.message).toMatch(/target: "no-such-branch" names no commit/);
      const range = err(
        await client.request('cross_review', { project_root: root, target: 'a..b', max_rounds: 2 }),
      );
      expect(range.error.message).toMatch(/target: "a" \(in "a..b"\) names no commit/);
      const task = err(
        await client.request('cross_review', {
          project_root: root,
          target: 'task_00000000-0000-4000-8000-000000000000',
        }),
      );
      expect(task.error.code).toBe(-32001);
      expect(
        err(await client.request('cross_review', { project_root: root, target: 'x', max_rounds: 0 })).error
          .code,
      ).toBe(-32602);
      expect(err(await client.request('preflight', { project_root: root })).error.code).toBe(-32602);
      expect(
        err(await client.request('preflight', { project_root: '/', task_description: 'add a flag' })).error
          .code,
      ).toBe(-32007);
      const agent = err(
        await client.request('preflight', {
          project_root: root,
          task_description: 'add a flag',
          agent: 'gpt',
        }),
      );
      expect(agent.error.code).toBe(-32602);
      expect(agent.error.message).toMatch(/agent: unknown agent "gpt"/);
    });

    it('reports stats with a quality grade', async () => {
      const stats = ok(await client.request('stats/query', {})).result as {
        events: { total: number };
        quality: { grade: string };
        threads: { total: number };
        trends: unknown[];
      };
      expect(stats.events.total).toBeGreaterThan(0);
      expect(stats.quality.grade).toMatch(/^[ABCD]$/);
      expect(stats.threads.total).toBeGreaterThan(0);
      expect(stats.trends).toHaveLength(4);
    });

    it('collects metrics and answers metrics/query, health/check, stats and events of a project', async () => {
      const root = path.join(fixture.projectDir, 'web');
      const guards = path.join(root, '.harness', 'guards');
      mkdirSync(guards, { recursive: true });
      execFileSync('git', ['init', '-q', root]);
      writeFileSync(path.join(guards, 'planted.sh'), 'echo "src/a.ts:3:SEC-01:eval() on input"\n', {
        mode: 0o755,
      });
      ok(await client.request('project/register', { name: 'contract', root: root }));
      const config = ok(await client.request('project/config', { name: 'contract' })).result as {
        settings: { name: string; root: string; max_concurrent: number; review: { enabled: boolean } };
      };
      expect(config.settings).toMatchObject({
        name: 'contract',
        root,
        review: { enabled: expect.any(Boolean) },
      });
      expect(err(await client.request('project/config', { name: 'no-such-project' })).error.code).toBe(
        -32001,
      );
      expect(err(await client.request('project/config', {})).error.code).toBe(-32602);
      const thread = ok(await client.request('thread/start', { cwd: root })).result as {
        thread_id: string;
      };
      type Report = { project: string | null; violations: { count: number }; quality: { grade: string } };
      const collected = ok(await client.request('metrics/collect', { project_root: root }))
        .result as Report & { scan: { finding_count: number; by_rule: Record<string, number> } };
      expect(collected).toMatchObject({ project: 'contract', violations: { count: 1 } });
      expect(collected.scan).toMatchObject({ finding_count: 1, by_rule: { 'SEC-01': 1 } });
      expect(err(await client.request('metrics/collect', { project_root: 'relative/dir' })).error.code).toBe(
        -32602,
      );
      const outside = err(
        await client.request('metrics/collect', { project_root: '/definitely/not/registered' }),
      );
      expect(outside.error.message).toMatch(/is not a registered project/);

      const one = ok(await client.request('metrics/query', { project: 'contract' })).result as Report;
      expect(one).toMatchObject({ project: 'contract', violations: { count: 1 }, projects: [] });
      const all = ok(await client.request('metrics/query', {})).result as Report & {
        projects: { project: string; grade: string }[];
      };
      expect(all.project).toBeNull();
      expect(all.projects.map((p) => p.project)).toContain('contract');

      const live = ok(await client.request('health/check')).result as { status: string; report?: unknown };
      expect(live.status).toBe('ok');
      expect(live.report).toBeUndefined();
      const health = ok(await client.request('health/check', { project_root: root })).result as {
        report: { violation_summary: unknown[]; recommendations: string[] };
      };
      expect(health.report.violation_summary).toEqual([
        { rule_id: 'SEC-01', count: 1, severity: 'critical' },
      ]);
      expect(health.report.recommendations.length).toBeGreaterThan(0);

      const stats = ok(await client.request('stats/query', { project: 'contract' })).result as {
        rule_stats: { rule_id: string; total: number }[];
      };
      expect(stats.rule_stats).toMatchObject([{ rule_id: 'SEC-01', total: 1 }]);
      const hook = { kind: 'hook.pre_tool_use', tool: 'Edit', decision: 'warn', reason: 'large write' };
      ok(await client.request('event/log', { event: { ...hook, thread_id: thread.thread_id } }));
      ok(await client.request('event/log', { event: { ...hook, project: 'contract' } }));
      expect(err(await client.request('event/log', { event: { ...hook, project: 'nope' } })).error.code).toBe(
        -32001,
      );
      const tagged = ok(await client.request('event/query', { project: 'contract', limit: 100 })).result as {
        events: { kind: string; thread_id: string | null }[];
      };
      expect(tagged.events.map((e) => e.kind)).toEqual(
        expect.arrayContaining(['thread.started', 'rule.finding', 'hook.pre_tool_use']),
      );
      expect(tagged.events.filter((e) => e.kind === 'hook.pre_tool_use')).toHaveLength(2);
      expect(tagged.events.find((e) => e.kind === 'thread.started')?.thread_id).toBe(thread.thread_id);
      const dashboard = ok(await client.request('dashboard/get')).result as {
        global: { quality: { grade: string } };
        projects: { name: string; quality: { grade: string } }[];
      };
      expect(dashboard.global.quality.grade).toMatch(/^[ABCD]$/);
      // The hook events logged since `one` count too: compared with the grade of the same events.
      const now = ok(await client.request('metrics/query', { project: 'contract' })).result as Report;
      expect(dashboard.projects.find((p) => p.name === 'contract')?.quality.grade).toBe(now.quality.grade);
    });

    it('runs GC on a project: gc/run, gc/status, gc/drafts; gc/adopt and gc/reject for the operator only', async () => {
      const root = makeRepo(path.join(fixture.projectDir, 'gc-repo'));
      ok(await client.request('project/register', { name: 'gcproj', root }));
      const before = ok(await client.request('gc/status', { project: 'gcproj' })).result as Record<
        string,
        unknown
      >;
      expect(before).toMatchObject({
        project: 'gcproj',
        drafts: { pending: 0, adopted: 0, rejected: 0, expired: 0 },
        running: false,
        progress: null,
        last_run: null,
        budget: { spent_usd: 0, total_usd: 5, window_hours: 24, remaining_usd: 5, exhausted: false },
      });
      const report = ok(await client.request('gc/run', { project: 'gcproj' })).result as Record<
        string,
        unknown
      >;
      expect(report).toMatchObject({ project: 'gcproj', drafts: [], errors: [], expired: 0 });
      const after = ok(await client.request('gc/status', { project: 'gcproj' })).result as {
        last_run: { status: string; trigger: string };
        next_run_at: string;
      };
      expect(after.last_run).toMatchObject({ status: 'finished', trigger: 'manual' });
      const started = ok(await client.request('gc/start', { project: 'gcproj' })).result as {
        run_id: string;
      };
      expect(started.run_id).toMatch(/^gcrun_/);
      let status: { running: boolean; last_run: { id: string } | null };
      do {
        // A pause between polls: the in-process transport answers without yielding to I/O, and the
        // run in the background needs it.
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = ok(await client.request('gc/status', { project: 'gcproj' })).result as typeof status;
      } while (status.running || status.last_run?.id !== started.run_id);
      expect(err(await client.request('gc/start', { project: 'nope' })).error.code).toBe(-32001);
      expect(Date.parse(after.next_run_at)).toBeGreaterThan(Date.now());
      expect(ok(await client.request('gc/drafts', { project: 'gcproj', status: 'pending' })).result).toEqual({
        drafts: [],
      });
      expect(err(await client.request('gc/drafts', { draft_id: 'draft_none' })).error.code).toBe(-32001);
      expect(err(await client.request('gc/reject', { draft_id: 'draft_none', reason: ' ' })).error.code).toBe(
        -32602,
      );
      // Agents reach HTTP and WebSocket too: without the operator key or API token, no decisions.
      const operator = fixture.name === 'stdio' || fixture.name === 'in-process';
      const adopt = err(await client.request('gc/adopt', { draft_id: 'draft_none' }));
      expect(adopt.error.code).toBe(operator ? -32001 : -32007);
      const reject = err(await client.request('gc/reject', { draft_id: 'draft_none', reason: 'no' }));
      expect(reject.error.code).toBe(operator ? -32001 : -32007);
      if (!operator) expect(reject.error.message).toMatch(/rejecting a GC draft is for a person/);
    });

    it('writes, updates and reads ExecPlans in the project; refuses paths outside it', async () => {
      const root = fixture.projectDir;
      type Result = { plan_id: string; path: string; plan: Record<string, unknown>; progress: object };
      const init = ok(
        await client.request('exec_plan/init', {
          spec: '# Ship plans\n\nWhy it matters.',
          project_root: root,
        }),
      ).result as Result;
      expect(init.plan_id).toMatch(/^plan_/);
      expect(init.path).toBe(`.agent/plans/${init.plan_id}.md`);
      expect(init.plan).toMatchObject({ title: 'Ship plans', status: 'draft', purpose: 'Why it matters.' });
      const update = (params: object): Promise<RpcResponse | null> =>
        client.request('exec_plan/update', { project_root: root, plan: init.plan_id, ...params });
      ok(await update({ action: 'activate' }));
      ok(await update({ action: 'milestone', description: 'first' }));
      ok(await update({ action: 'milestone', index: 0 }));
      ok(await update({ action: 'step', description: 'edit', files: ['src/a.ts'] }));
      ok(await update({ action: 'decision', decision: 'files, not rows', rationale: 'agents edit files' }));
      ok(await update({ action: 'surprise', observation: 'odd', evidence: 'log line 3' }));
      ok(await update({ action: 'outcome', text: 'Done well.' }));
      const status = ok(await client.request('exec_plan/status', { project_root: root, plan: init.path }))
        .result as Result;
      expect(status.progress).toEqual({ done: 1, total: 2 });
      expect(status.plan).toMatchObject({
        status: 'active',
        decisions: [{ decision: 'files, not rows', rationale: 'agents edit files', author: 'harness' }],
        surprises: [{ observation: 'odd', evidence: 'log line 3' }],
        outcomes: 'Done well.',
      });
      const listed = ok(await client.request('exec_plan/list', { project_root: root })).result as {
        plans: { plan_id: string; status: string }[];
      };
      expect(listed.plans).toContainEqual(
        expect.objectContaining({ plan_id: init.plan_id, status: 'active' }),
      );
      const named = ok(
        await client.request('exec_plan/init', {
          spec: '# Named',
          project_root: root,
          path: 'docs/named.md',
        }),
      ).result as Result;
      expect(named.path).toBe('docs/named.md');
      const again = err(
        await client.request('exec_plan/init', {
          spec: '# Named',
          project_root: root,
          path: 'docs/named.md',
        }),
      );
      expect(again.error.code).toBe(-32002);
      const outside = err(
        await client.request('exec_plan/init', { spec: '# X', project_root: root, path: '../escape.md' }),
      );
      expect(outside.error.code).toBe(-32007);
      expect(outside.error.message).toContain('path: ../escape.md is outside the project');
      expect(err(await update({ action: 'milestone', index: 7 })).error.message).toMatch(
        /index: no milestone 7/,
      );
      expect(err(await update({ action: 'fly' })).error.code).toBe(-32602);
      expect(err(await update({ action: 'decision', decision: 'd' })).error.code).toBe(-32602);
      expect(
        err(await client.request('exec_plan/status', { project_root: root, plan: 'plan_missing' })).error
          .code,
      ).toBe(-32001);
      expect(err(await client.request('exec_plan/list', { project_root: '/' })).error.code).toBe(-32007);
    });

    it('keeps each connection’s handshake and notifications to itself', async ({ skip }) => {
      if (!fixture.multiClient) skip('stdio carries exactly one client');
      const other = await fixture.client();
      expect(err(await other.request('thread/list')).error.code).toBe(-32003);
      await handshake(other);
      const mine = ok(await client.request('thread/start', {})).result as { thread_id: string };
      await client.request('event/log', { event: { kind: 'note', thread_id: mine.thread_id } });
      const theirs = ok(await other.request('thread/start', {})).result as { thread_id: string };
      await other.request('health/check');
      if (client.pushesNotifications) {
        const mineSeen = client.notifications.map(
          (n) =>
            (n.params as { thread?: { id: string } }).thread?.id ??
            (n.params as { event?: { thread_id: string } }).event?.thread_id,
        );
        expect(mineSeen).toContain(mine.thread_id);
        expect(mineSeen).not.toContain(theirs.thread_id);
        const theirsSeen = other.notifications.map((n) => JSON.stringify(n.params));
        expect(theirsSeen.some((text) => text.includes(theirs.thread_id))).toBe(true);
        expect(theirsSeen.some((text) => text.includes(mine.thread_id))).toBe(false);
        expect(client.notifications.map((n) => n.method)).toEqual(
          expect.arrayContaining(['thread/started', 'event/logged']),
        );
      } else {
        expect(client.notifications).toEqual([]);
      }
    });
  },
);
