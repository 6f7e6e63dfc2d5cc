import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { requireAgentName } from './config/index.js';
import { HarnessError } from './errors.js';
import { isRecord } from './records.js';
import { describeIssue, describeIssues, issueReports } from './zod-issues.js';

const schema = z.object({ task: z.object({ title: z.string() }), limit: z.number() });
const failed = (value: unknown): z.ZodError => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected the value to fail the schema');
  return parsed.error;
};

describe('zod issue formatting', () => {
  it('names every problem by its dotted path, without echoing the values', () => {
    const error = failed({ task: { title: 42 }, limit: 'secret-value' });
    expect(describeIssues(error)).toMatch(/^task\.title: .+; limit: .+$/);
    expect(describeIssues(error)).not.toContain('secret-value');
    expect(describeIssues(error, { limit: 1 })).toMatch(/^task\.title: [^;]+$/);
  });

  it('reports an issue about the whole value by its root name, or by the message alone', () => {
    const error = failed('not an object');
    expect(describeIssues(error, { root: 'params' })).toMatch(/^params: /);
    expect(describeIssue(error.issues[0]!)).toBe(error.issues[0]!.message);
  });

  it('gives error data the path as strings, the message and zod code', () => {
    expect(issueReports(failed({ task: { title: 'x' }, limit: 'no' }))).toEqual([
      { path: ['limit'], message: expect.any(String), code: 'invalid_type' },
    ]);
  });
});

describe('isRecord', () => {
  it('accepts plain objects and refuses null, arrays and primitives', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    expect([null, [], 'text', 3, undefined].map(isRecord)).toEqual([false, false, false, false, false]);
  });
});

describe('requireAgentName', () => {
  it('returns a known agent and refuses an unknown one, naming the known ones', () => {
    expect(requireAgentName('codex')).toBe('codex');
    expect(() => requireAgentName('gpt-9')).toThrow(HarnessError);
    expect(() => requireAgentName('gpt-9')).toThrow(
      'agent: unknown agent "gpt-9" (expected one of claude, codex, anthropic_api)',
    );
  });
});
