import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from './errors.js';
import { createProcessRunner, describeRunOutcome, TailBuffer } from './process-runner.js';

const runner = createProcessRunner();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'harness-proc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Alive means it exists and is not a zombie (a zombie's parent, not us, must reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

// Prints the pids of a background sleep and of the shell, then sleeps in the foreground.
const twoSleeps = 'sleep 100 & echo "bg=$!"; echo "sh=$$"; sleep 100';

function pidsIn(text: string): number[] {
  return [...text.matchAll(/(?:bg|sh)=(\d+)/g)].map((m) => Number(m[1]));
}

describe('ProcessRunner', () => {
  it('runs argv without a shell and reports exit code, output and duration', async () => {
    const result = await runner.run('printf', ['%s|', 'a b', '$HOME', ';echo no'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('a b|$HOME|;echo no|');
    expect(result.truncated).toBe(false);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(describeRunOutcome(result)).toBe('exited with code 0');
  });

  it('runs a shell command line, with cwd and env, and keeps stdout and stderr apart', async () => {
    const result = await runner.runShell('echo "$GREETING in $(pwd)"; echo oops >&2; exit 3', {
      cwd: dir,
      env: { ...process.env, GREETING: 'hello' },
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdout.trim()).toBe(`hello in ${dir}`);
    expect(result.stderr.trim()).toBe('oops');
    expect(result.output).toContain('oops');
    expect(result.output).toContain('hello');
  });

  it('closes stdin so a reader sees end of file instead of hanging', async () => {
    const result = await runner.runShell('cat; echo done', { cwd: dir, timeoutMs: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.stdout.trim()).toBe('done');
  });

  it('writes the input it is given to stdin, then closes it; a child that reads none is no error', async () => {
    const echoed = await runner.run('cat', [], { cwd: dir, input: 'line one\nline two\n' });
    expect(echoed).toMatchObject({ exitCode: 0, stdout: 'line one\nline two\n' });
    const ignored = await runner.run('true', [], { cwd: dir, input: 'x'.repeat(1_000_000) });
    expect(ignored.exitCode).toBe(0);
  });

  it('keeps the tail of long output and says it truncated', async () => {
    const result = await runner.runShell('seq 1 20000', { cwd: dir, maxOutputBytes: 100 });
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(100);
    expect(result.stdout.endsWith('19999\n20000\n')).toBe(true);
    expect(result.outputBytes).toBeGreaterThan(100_000);
  });

  it('kills the whole process group on timeout, leaving no child alive', async () => {
    const result = await runner.runShell(twoSleeps, { cwd: dir, timeoutMs: 300, killGraceMs: 500 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(describeRunOutcome(result)).toBe('timed out');
    const pids = pidsIn(result.stdout);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('kills the whole process group on abort', async () => {
    const controller = new AbortController();
    let seen = '';
    const result = await runner.runShell(twoSleeps, {
      cwd: dir,
      signal: controller.signal,
      timeoutMs: 20_000,
      onOutput: (_stream, chunk) => {
        seen += chunk.toString();
        if (pidsIn(seen).length === 2) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.timedOut).toBe(false);
    const pids = pidsIn(result.stdout);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const script = 'trap "" TERM; echo "sh=$$"; while :; do sleep 1; done';
    const result = await runner.runShell(script, { cwd: dir, timeoutMs: 300, killGraceMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    for (const pid of pidsIn(result.stdout)) expect(alive(pid)).toBe(false);
  });

  it('takes down background children left behind by a command that exits on its own', async () => {
    const result = await runner.runShell('sleep 100 & echo "bg=$!"', { cwd: dir, timeoutMs: 20_000 });
    expect(result.exitCode).toBe(0);
    const pids = pidsIn(result.stdout);
    expect(pids).toHaveLength(1);
    expect(alive(pids[0] as number)).toBe(false);
  });

  it('does not start at all when already aborted', async () => {
    const result = await runner.run('true', [], { cwd: dir, signal: AbortSignal.abort() });
    expect(result.aborted).toBe(true);
    expect(result.pid).toBeUndefined();
  });

  it('throws a HarnessError when the program cannot be started', async () => {
    const failure = runner.run('definitely-not-a-program-xyz', [], { cwd: dir });
    await expect(failure).rejects.toBeInstanceOf(HarnessError);
    await expect(failure).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('TailBuffer', () => {
  it('keeps the last bytes across chunk boundaries', () => {
    const tail = new TailBuffer(5);
    tail.push(Buffer.from('abc'));
    tail.push(Buffer.from('defg'));
    expect(tail.text()).toBe('cdefg');
    expect(tail.truncated).toBe(true);
    expect(tail.totalBytes).toBe(7);
  });

  it('drops a multi-byte character cut in half at the start', () => {
    const tail = new TailBuffer(4);
    tail.push(Buffer.from('xé€'));
    expect(tail.text()).toBe('€');
  });
});
