import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardId, parseGuardOutput, runGuards } from './guards.js';

let root: string;
const guards = () => path.join(root, '.harness', 'guards');

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'harness-guards-'));
  await mkdir(guards(), { recursive: true });
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('parseGuardOutput', () => {
  it('parses FILE:LINE:RULE_ID:MESSAGE and keeps colons in the message', () => {
    const out = parseGuardOutput(
      'src/a.rs:12:RS-03:unwrap() here: risky\r\nsrc/b.ts::TS-01:no line\n\n',
      'G',
    );
    expect(out.violations).toEqual([
      { guard: 'G', file: 'src/a.rs', line: 12, ruleId: 'RS-03', message: 'unwrap() here: risky' },
      { guard: 'G', file: 'src/b.ts', line: null, ruleId: 'TS-01', message: 'no line' },
    ]);
    expect(out.garbage).toEqual([]);
  });

  it('reports garbage lines instead of failing', () => {
    const out = parseGuardOutput('scanning…\nfile:abc:R:m\nfile:1::m\na:1:R\n\u0000\u0001', 'G');
    expect(out.violations).toEqual([]);
    expect(out.garbage.map((g) => g.line)).toEqual([
      'scanning…',
      'file:abc:R:m',
      'file:1::m',
      'a:1:R',
      '\u0000\u0001',
    ]);
  });

  it('derives guard ids from file names', () => {
    expect(guardId('/x/.harness/guards/rs-03-unwrap.sh')).toBe('RS-03-UNWRAP');
    expect(guardId('/x/check')).toBe('CHECK');
  });
});

describe('runGuards', () => {
  it('runs shell guards with bash and the project root as argument', async () => {
    await writeFile(path.join(root, 'main.rs'), 'fn main() {\n  x.unwrap();\n}\n');
    await writeFile(
      path.join(guards(), 'rs-03-unwrap.sh'),
      [
        'project_root="$1"',
        'cd "$project_root" || exit 2',
        `grep -n '\\.unwrap()' main.rs | while IFS=: read -r line rest; do`,
        '  echo "main.rs:${line}:RS-03:unwrap() in non-test code"',
        'done',
        'echo "a garbage line"',
        'exit 1',
      ].join('\n'),
    );
    const scan = await runGuards(root);
    expect(scan.violations).toEqual([
      {
        guard: 'RS-03-UNWRAP',
        file: 'main.rs',
        line: 2,
        ruleId: 'RS-03',
        message: 'unwrap() in non-test code',
      },
    ]);
    expect(scan.garbage).toEqual([{ guard: 'RS-03-UNWRAP', line: 'a garbage line' }]);
    expect(scan.guards[0]).toMatchObject({ exitCode: 1, timedOut: false });
  });

  it('runs executable non-shell guards directly and skips other files', async () => {
    const exe = path.join(guards(), 'custom');
    await writeFile(exe, '#!/bin/sh\necho "$1/x.txt:3:CUSTOM-1:found"\n');
    await chmod(exe, 0o755);
    await writeFile(path.join(guards(), 'README.md'), '# not a guard');
    const scan = await runGuards(root);
    expect(scan.violations).toEqual([
      { guard: 'CUSTOM', file: `${root}/x.txt`, line: 3, ruleId: 'CUSTOM-1', message: 'found' },
    ]);
    expect(scan.skipped).toEqual([path.join(guards(), 'README.md')]);
  });

  it('kills a guard that runs past its timeout, including its children', async () => {
    await writeFile(path.join(guards(), 'slow.sh'), 'echo "a:1:SLOW:started"\nsleep 30 &\nsleep 30\n');
    const started = Date.now();
    const scan = await runGuards(root, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(scan.guards[0]?.timedOut).toBe(true);
    expect(scan.violations.map((v) => v.ruleId)).toEqual(['SLOW']);
  });

  it('reports a guard that cannot start, and still runs the others', async () => {
    const broken = path.join(guards(), 'a-broken');
    await writeFile(broken, '#!/nonexistent/interpreter\n');
    await chmod(broken, 0o755);
    await writeFile(path.join(guards(), 'b-ok.sh'), 'echo "x:1:OK-1:ran"\n');
    const scan = await runGuards(root);
    expect(scan.guards[0]).toMatchObject({ guard: 'A-BROKEN', exitCode: null, timedOut: false });
    expect(scan.guards[0]?.error).toMatch(/could not start .*a-broken/);
    expect(scan.violations.map((v) => v.ruleId)).toEqual(['OK-1']);
  });

  it('returns nothing for a project without guards', async () => {
    const scan = await runGuards(path.join(root, 'nowhere'));
    expect(scan).toEqual({ guards: [], violations: [], garbage: [], skipped: [] });
  });
});
