import { z } from 'zod';
import { ErrorCodes, HarnessError } from '../errors.js';

/**
 * Config problems as data. Every problem is collected (not just the first) so one run of
 * `harness config validate` shows the user everything to fix.
 */

export interface ConfigIssue {
  /** Dotted key path as written in TOML: `agents.review.max_rounds`, `projects[1].name`. */
  path: string;
  message: string;
  /** The file (or flag/env source) the key lives in, when it differs from the error's main file. */
  file?: string;
}

export interface ConfigErrorData {
  file: string | null;
  issues: ConfigIssue[];
}

const bareKey = /^[A-Za-z0-9_-]+$/;

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      const part = bareKey.test(key) ? key : JSON.stringify(key);
      out += out === '' ? part : `.${part}`;
    }
  }
  return out;
}

export function formatConfigIssue(issue: ConfigIssue, file: string | null): string {
  const source = issue.file ?? file ?? '(defaults)';
  return issue.path === '' ? `${source}: ${issue.message}` : `${source}: ${issue.path}: ${issue.message}`;
}

export function configError(file: string | null, issues: ConfigIssue[], cause?: unknown): HarnessError {
  const lines = issues.map((issue) => formatConfigIssue(issue, file));
  const head =
    issues.length === 1 ? 'invalid configuration' : `invalid configuration (${issues.length} problems)`;
  const data: ConfigErrorData = { file, issues };
  return new HarnessError(ErrorCodes.config, `${head}:\n${lines.join('\n')}`, { data, cause });
}

/** Edit distance counting a swap of neighbours as one edit ("gti" → "git"); small inputs only. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The closest known key, if it is close enough to be a plausible typo. */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const needle = unknown.toLowerCase().replaceAll('-', '_');
  for (const key of known) {
    const d = distance(needle, key.toLowerCase());
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  // Short keys get less slack: "a" is not a typo of "gc".
  const allowed = unknown.length <= 3 ? 1 : Math.max(2, Math.floor(unknown.length / 3));
  if (bestDistance <= allowed) return best;
  // Abbreviations ("reviewer" for "reviewer_agent") are far in edit distance but obvious to a reader.
  if (needle.length < 3) return undefined;
  return known.find((key) => key.startsWith(needle) || needle.startsWith(key));
}

/** Peels wrappers (default, optional, transform pipes) to reach the schema that has the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault)
      current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return current;
  }
}

/** The keys a table at `segments` accepts, found by walking the schema. */
export function knownKeysAt(schema: z.ZodType, segments: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const segment of segments) {
    if (current instanceof z.ZodArray && typeof segment === 'number')
      current = unwrap(current.element as z.ZodType);
    else if (current instanceof z.ZodObject) {
      const next = (current.shape as Record<string, z.ZodType>)[String(segment)];
      if (next === undefined) return [];
      current = unwrap(next);
    } else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

export function unknownKeyIssue(segments: readonly PropertyKey[], key: string, known: readonly string[]) {
  const hint = closestKey(key, known);
  const message =
    hint === undefined
      ? `unknown key (expected one of: ${known.join(', ')})`
      : `unknown key (did you mean "${hint}"?)`;
  return { path: formatPath([...segments, key]), message };
}

/** zod issues → config issues; unknown keys become one issue per key, with a typo hint. */
export function fromZodIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) out.push(unknownKeyIssue(issue.path, key, known));
    } else {
      const path = formatPath(issue.path);
      // Several checks on one field can fail on the same input; they all read the same to a user.
      if (!out.some((o) => o.path === path && o.message === issue.message))
        out.push({ path, message: issue.message });
    }
  }
  return out;
}
