import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The corpus lives beside the repository, never inside it. */
export function corpusDir(): string {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return path.resolve(repoRoot, '..', 'shared', 'conformance', 'starlark');
}

export function corpusAvailable(): boolean {
  return existsSync(path.join(corpusDir(), 'README.md'));
}

export function readJsonl<T>(relative: string): T[] {
  const text = readFileSync(path.join(corpusDir(), relative), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export interface GoCase {
  id: string;
  tier: string;
  options: string[];
  code: string;
  checks: number;
  expect:
    | { outcome: 'ok' }
    | { outcome: 'runtime_error'; line: number; pattern: string; stmt_span: [number, number] };
}

export interface BazelCase {
  id: string;
  code: string;
  checks: number;
  expect: { error_patterns: { impl: string; text: string }[]; outcome_by_impl: Record<string, string> };
}

export interface StaticCase {
  id: string;
  tier: string;
  options: string[];
  code: string;
  expect: { outcome: 'ok' | 'static_error'; errors?: { line: number; pattern: string }[] };
}

export type RejectOutcome =
  | 'reject_static'
  | 'accept'
  | 'runtime_error'
  | 'resource_limit'
  | 'runtime_error_or_accept'
  | 'reject_or_accept_cleanly'
  | 'implementation_defined';

export interface RejectedCase {
  id: string;
  kind: string;
  code: string;
  expect: { strict: RejectOutcome; relaxed: RejectOutcome };
  message_should_mention?: string;
}

export interface PolicyCase {
  id: string;
  policy: string;
  policy_files?: string[];
  command?: string[];
  commands?: string[][];
  expected: 'allow' | 'prompt' | 'forbidden' | 'error' | null;
  expected_by_engine?: { codex?: string | null; harness?: string | null };
  engines?: string[];
  options?: { resolve_host_executables?: boolean };
  matched_prefixes?: string[][];
  error_contains?: string;
  error_contains_harness?: string;
}
