import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/index.js';
import { EventLog } from '../observe/index.js';
import { SqliteStore } from '../store/index.js';
import { recordScan } from './scans.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('recordScan', () => {
  it('stores one scan row and one event per finding, findable by project and scan', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-record-'));
    dirs.push(dir);
    const store = SqliteStore.open(dir);
    const events = new EventLog(store, silentLogger);
    const finding = {
      severity: 'high' as const,
      title: 'No eval',
      line: 3,
      message: 'eval()',
      guard: 'builtin',
    };
    const record = await recordScan(
      { store, events },
      {
        project: 'web',
        trigger: 'cli',
        startedAt: new Date('2026-12-01T10:00:00Z'),
        durationMs: 12,
        scan: {
          root: dir,
          files: null,
          guards: [],
          garbage: [],
          skipped: [],
          findings: [
            { ...finding, rule_id: 'SEC-01', file: 'a.ts' },
            { ...finding, rule_id: 'SEC-01', file: 'b.ts', severity: 'low' },
          ],
        },
      },
    );
    expect(record.by_severity).toEqual({ critical: 0, high: 1, medium: 0, low: 1 });
    expect(record.by_rule).toEqual({ 'SEC-01': 2 });
    expect(await store.scans.latestFull('web')).toEqual(record);
    expect(await store.scans.latestFull('other')).toBeNull();
    const stored = await store.events.query({
      project: 'web',
      session_id: record.id,
      limit: 10,
      order: 'asc',
    });
    expect(stored.map((e) => [e.kind, e.tool, e.decision])).toEqual([
      ['rule.scan', 'rule-engine', 'warn'],
      ['rule.finding', 'SEC-01', 'block'],
      ['rule.finding', 'SEC-01', 'pass'],
    ]);
    await store.close();
  });
});
