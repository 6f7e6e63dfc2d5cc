import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { parseConfig } from './index.js';

const context = { env: {}, home: '/nonexistent-home', cwd: '/' };

describe('git.author_name and git.author_email', () => {
  it('default to Harness <harness@localhost>', () => {
    expect(parseConfig('', 'h.toml', context).git).toEqual({
      author_name: 'Harness',
      author_email: 'harness@localhost',
      deliver: 'auto',
      keep_failed_branches: true,
    });
  });

  it('take the name and address a team chooses', () => {
    const text = '[git]\nauthor_name = "Build Bot"\nauthor_email = "bot@example.com"\n';
    expect(parseConfig(text, 'h.toml', context).git).toEqual({
      author_name: 'Build Bot',
      author_email: 'bot@example.com',
      deliver: 'auto',
      keep_failed_branches: true,
    });
  });

  it('take the delivery a team chooses, and refuse one Harness does not know', () => {
    expect(parseConfig('[git]\ndeliver = "none"\n', 'h.toml', context).git.deliver).toBe('none');
    const bad = () => parseConfig('[git]\ndeliver = "email"\n', 'h.toml', context);
    expect(bad).toThrow(/git\.deliver: expected one of "auto", "pull_request", "branch", "none"/);
  });

  it("keep a failed task's branch unless told not to, and refuse a keep_failed_branches that is not a boolean", () => {
    expect(
      parseConfig('[git]\nkeep_failed_branches = false\n', 'h.toml', context).git.keep_failed_branches,
    ).toBe(false);
    const bad = () => parseConfig('[git]\nkeep_failed_branches = "no"\n', 'h.toml', context);
    expect(bad).toThrow(/git\.keep_failed_branches/);
  });

  it('refuses what git would write into the commit header wrongly, naming the key', () => {
    const badName = () => parseConfig('[git]\nauthor_name = "Eve <x@y>"\n', 'h.toml', context);
    expect(badName).toThrow(HarnessError);
    expect(badName).toThrow(/git\.author_name: expected a name without newlines or angle brackets/);
    const badEmail = () => parseConfig('[git]\nauthor_email = "not an address"\n', 'h.toml', context);
    expect(badEmail).toThrow(/git\.author_email: expected an email address/);
  });
});
