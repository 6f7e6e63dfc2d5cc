import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { addBareOrigin, git, makeRepo as makeTestkitRepo, repoRoot } from '@harness/testkit';
import type { AgentAdapter, AgentEvent, AgentTurn, CommandGate } from '../../src/agents/index.js';
import { loadPolicyFiles } from '../../src/policy/index.js';
import { sandboxSpec, type SandboxMode } from '../../src/sandbox/index.js';

export const claudeBin = path.join(repoRoot, 'node_modules', '.bin', 'claude');
export const codexBin = path.join(repoRoot, 'node_modules', '.bin', 'codex');
export const hasClaude = existsSync(claudeBin);
export const hasCodex = existsSync(codexBin);

const cleanups: string[] = [];

/** A temp dir removed by `cleanupTempDirs` (call it in afterAll/afterEach). */
export function tempDir(prefix: string, base = tmpdir()): string {
  const dir = mkdtempSync(path.join(base, `harness-${prefix}-`));
  cleanups.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A git repo with one commit containing README.md = "hello world\n". */
export function makeRepo(): string {
  return makeTestkitRepo(tempDir('repo'));
}

export async function collect(turn: AgentTurn): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of turn) events.push(event);
  return events;
}

export function terminalOf(events: AgentEvent[]): AgentEvent {
  const last = events.at(-1);
  if (last === undefined) throw new Error('no events');
  return last;
}

export function ofType<T extends AgentEvent['type']>(
  events: AgentEvent[],
  type: T,
): Extract<AgentEvent, { type: T }>[] {
  return events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
}

export { git, repoRoot };

export const limits = { stallTimeoutMs: 60_000, turnTimeoutMs: 120_000 };

export function spec(repo: string, mode: SandboxMode) {
  return sandboxSpec({ mode, workspace: repo });
}

/** Polls until `predicate` holds; the timeout is only a safety net against a hung test. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Live (non-zombie) processes whose working directory is `dir`. */
export function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) !== dir) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      out.push(Number(name));
    } catch {
      // gone already
    }
  }
  return out;
}

export function processesMatching(pattern: RegExp): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (pattern.test(cmd) && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) out.push(Number(name));
    } catch {
      // gone already
    }
  }
  return out;
}

/**
 * A repo whose `main` is one commit ahead of its bare `origin`, so a push that ran would show:
 * `originHead()` would move.
 */
export function makeRepoWithOrigin(): { repo: string; origin: string; originHead: () => string } {
  const repo = makeRepo();
  const origin = addBareOrigin(repo, tempDir('origin'));
  writeFileSync(path.join(repo, 'ahead.txt'), 'not pushed yet\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'ahead of origin');
  return { repo, origin, originHead: () => git(origin, 'rev-parse', 'main') };
}

/** The policy the refusal tests run under, from a real file (so refusals can name file:line). */
export const REFUSAL_POLICY = `prefix_rule(pattern = ["touch"], decision = "allow")
prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "Harness pushes, agents do not")
`;

/** A command gate backed by the real policy engine, loaded from `REFUSAL_POLICY` in a temp file. */
export async function refusalGate(): Promise<{ gate: CommandGate; policyFile: string }> {
  const policyFile = path.join(tempDir('policy'), 'agents.star');
  writeFileSync(policyFile, REFUSAL_POLICY);
  const policy = await loadPolicyFiles([policyFile]);
  return { gate: async ({ command }) => policy.checkCommandLine(command), policyFile };
}

/**
 * Runs a turn under `refusalGate()` with full access (so only the policy stands between the model and
 * the push) and checks it ended `policy_blocked`, naming the rule, its place and its justification.
 * Returns the terminal message and the events for what each adapter adds.
 */
export async function refusedTurn(
  adapter: AgentAdapter,
  repo: string,
  { gate, policyFile }: { gate: CommandGate; policyFile: string },
): Promise<{ message: string; events: AgentEvent[] }> {
  const events = await collect(
    adapter.startTurn({
      prompt: 'ship it',
      cwd: repo,
      sandbox: spec(repo, 'danger-full-access'),
      limits,
      commandGate: gate,
    }),
  );
  const end = terminalOf(events);
  expect(end).toMatchObject({ type: 'error', code: 'policy_blocked' });
  const message = end.type === 'error' ? end.message : '';
  expect(message).toContain(`prefix_rule \`git push\` (${policyFile}:2)`);
  expect(message).toContain('Harness pushes, agents do not');
  return { message, events };
}
