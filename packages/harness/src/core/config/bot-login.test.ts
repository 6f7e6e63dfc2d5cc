import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { parseConfig } from './index.js';

const context = { env: {}, home: '/nonexistent-home', cwd: '/' };

describe('github.bot_login', () => {
  it('is optional, and takes a user or App login', () => {
    expect(parseConfig('', 'h.toml', context).github.bot_login).toBeUndefined();
    for (const login of ['harness-bot', 'my-app[bot]']) {
      const text = `[github]\nbot_login = "${login}"\n`;
      expect(parseConfig(text, 'h.toml', context).github.bot_login).toBe(login);
    }
  });

  it('refuses what is not a GitHub login, naming the key', () => {
    const parse = () => parseConfig('[github]\nbot_login = "@harness bot"\n', 'h.toml', context);
    expect(parse).toThrow(HarnessError);
    expect(parse).toThrow(
      /github\.bot_login: expected a GitHub login such as "my-app\[bot\]", got "@harness bot"/,
    );
  });
});
