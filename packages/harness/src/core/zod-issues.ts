import type { z } from 'zod';

/** One zod issue as Harness reports it in error data: where (the path as strings) and what. */
export interface IssueReport {
  path: string[];
  message: string;
  code: string;
}

export function issueReports(error: z.ZodError): IssueReport[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * `a.b: message` for one issue. An issue about the value as a whole has no path: it reads
 * `root: message` when a root name is given, else the message alone.
 */
export function describeIssue(
  issue: { path: readonly PropertyKey[]; message: string },
  root?: string,
): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : root;
  return where === undefined ? issue.message : `${where}: ${issue.message}`;
}

/** Every issue (or the first `limit`) on one line, `; `-separated; never echoes the values. */
export function describeIssues(error: z.ZodError, options: { root?: string; limit?: number } = {}): string {
  return error.issues
    .slice(0, options.limit)
    .map((issue) => describeIssue(issue, options.root))
    .join('; ');
}
