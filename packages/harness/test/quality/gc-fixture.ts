/**
 * What GC's tests share: a real SQLite store and event log in a temp dir, a git project, signals
 * built by hand, and an in-process drafter (our own port) that answers from a script and reports
 * what each answer cost.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Draft, Signal, SignalType } from '@harness/protocol';
import { makeRepo, tempDir } from '@harness/testkit';
import { type Clock, createGit, createProcessRunner, silentLogger } from '../../src/core/index.js';
import { EventLog } from '../../src/observe/index.js';
import {
  type DraftAnswer,
  type DraftRequest,
  type Drafter,
  type GcPorts,
  GcService,
  type GcSettings,
  type PullRequestRequest,
  newRunOwner,
} from '../../src/quality/index.js';
import { SqliteStore } from '../../src/store/index.js';

export function signal(
  type: SignalType,
  key: string,
  strength: number,
  overrides: Partial<Signal> = {},
): Signal {
  return {
    id: `sig_${type}_${key}`,
    project: 'app',
    type,
    key,
    strength,
    threshold: 5,
    remediation: 'guard',
    summary: `${type} on ${key}: ${strength} times`,
    details: { key },
    evidence: {
      event_ids: ['evt_1', 'evt_2'],
      event_count: strength,
      files: ['src/a.ts'],
      task_ids: [],
      first_seen: '2026-01-01T00:00:00.000Z',
      last_seen: '2026-01-02T00:00:00.000Z',
    },
    detected_at: '2026-01-02T00:00:00.000Z',
    ...overrides,
  };
}

export const guardAnswer = (name: string): string =>
  `A guard for it.\n\n\`\`\`bash .harness/guards/${name}.sh\n#!/bin/sh\necho "src/a.ts:1:${name}:found"\n\`\`\`\n`;

/** Answers from a queue (the last answer repeats), each costing `cost`. */
export class ScriptedDrafter implements Drafter {
  readonly asked: DraftRequest[] = [];
  constructor(
    private readonly answers: string[],
    private readonly cost = 0.1,
  ) {}

  async draft(request: DraftRequest): Promise<DraftAnswer> {
    this.asked.push(request);
    const text = this.answers.length > 1 ? (this.answers.shift() ?? '') : (this.answers[0] ?? '');
    return { text, cost_usd: this.cost, agent: 'claude', model: 'scripted', error: null };
  }
}

export const defaultSettings: GcSettings = {
  max_drafts_per_run: 5,
  budget_per_signal_usd: 0.5,
  total_budget_usd: 5,
  budget_window_hours: 24,
  draft_ttl_hours: 72,
  auto_pr: false,
  auto_adopt: 'off',
};

export interface GcFixture {
  root: string;
  store: SqliteStore;
  events: EventLog;
  clock: Clock & { set(iso: string): void; advanceHours(h: number): void };
  gc: GcService;
  pullRequests: PullRequestRequest[];
  kinds(): Promise<string[]>;
  close(): Promise<void>;
}

export function gcFixture(o: {
  drafter: Drafter;
  /** The signals every run detects, or a function giving each run's. */
  signals: Signal[] | (() => Signal[]);
  settings?: Partial<GcSettings>;
  replay?: GcPorts['replay'];
}): GcFixture {
  const dir = tempDir();
  const root = makeRepo(path.join(dir.path, 'app'), { 'src/a.ts': 'old\n' });
  const store = SqliteStore.open(path.join(dir.path, 'data'));
  let now = new Date('2026-03-01T12:00:00.000Z');
  const clock = {
    now: () => new Date(now),
    set: (iso: string) => void (now = new Date(iso)),
    advanceHours: (h: number) => void (now = new Date(now.getTime() + h * 3_600_000)),
  };
  const events = new EventLog(store, silentLogger, clock);
  const pullRequests: PullRequestRequest[] = [];
  const runner = createProcessRunner();
  const gc = new GcService({
    store,
    events,
    clock,
    logger: silentLogger,
    drafter: o.drafter,
    settings: { ...defaultSettings, ...o.settings },
    resolveProject: async () => ({ name: 'app', root }),
    ports: {
      signals: async () => (typeof o.signals === 'function' ? o.signals() : o.signals),
      replay: o.replay ?? null,
      openPullRequest: async (request) => {
        pullRequests.push(request);
        return `task_for_${request.draft.id}`;
      },
    },
    adoption: {
      runner,
      git: createGit({ runner }),
      author: { name: 'Harness GC', email: 'gc@example.invalid' },
      scratchDir: path.join(dir.path, 'data', 'gc'),
    },
    owner: newRunOwner(),
  });
  return {
    root,
    store,
    events,
    clock,
    gc,
    pullRequests,
    kinds: async () => (await events.query({ limit: 1000, order: 'asc' })).map((e) => e.kind),
    close: async () => {
      await store.close();
      dir.remove();
    },
  };
}

export function writeOverlay(root: string, text: string): void {
  mkdirSync(path.join(root, '.harness'), { recursive: true });
  writeFileSync(path.join(root, '.harness', 'config.toml'), text);
}

export function onlyDraft(drafts: Draft[]): Draft {
  if (drafts.length !== 1) throw new Error(`expected one draft, got ${drafts.length}`);
  return drafts[0] as Draft;
}
