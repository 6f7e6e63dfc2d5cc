import { describe, expect, it } from 'vitest';
import { parseConfig } from './index.js';

const file = '/etc/harness.toml';
const ctx = { env: {}, home: '/home/u' };

describe('[skills] config', () => {
  it('defaults to the machine folder, the built-ins on, and nothing always active', () => {
    expect(parseConfig('', file, ctx).skills).toEqual({
      admin_dir: '/etc/harness/skills',
      builtin: true,
      always: [],
    });
  });

  it('reads admin_dir (~ expanded), builtin and always', () => {
    const skills = parseConfig(
      '[skills]\nadmin_dir = "~/admin-skills"\nbuiltin = false\nalways = ["review"]\n',
      file,
      ctx,
    ).skills;
    expect(skills).toEqual({ admin_dir: '/home/u/admin-skills', builtin: false, always: ['review'] });
  });

  it('names the key and the value that is not a skill name', () => {
    expect(() => parseConfig('[skills]\nalways = ["Review Code"]\n', file, ctx)).toThrow(
      /skills\.always\[0\]: expected a skill name .*got "Review Code"/,
    );
    expect(() => parseConfig('[skills]\nbuiltin = "yes"\n', file, ctx)).toThrow(
      /skills\.builtin: expected true or false/,
    );
  });
});
