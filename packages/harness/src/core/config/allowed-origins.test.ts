import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { parseConfig } from './index.js';

const parse = (toml: string) =>
  parseConfig(toml, '/etc/harness/config.toml', { env: {}, home: '/home/h', cwd: '/' });

describe('server.allowed_origins', () => {
  it('defaults to none and keeps the origins given', () => {
    expect(parse('').server.allowed_origins).toEqual([]);
    const origins = ['http://127.0.0.1:5173', 'https://dash.example', 'http://[::1]:8080'];
    expect(parse(`[server]\nallowed_origins = ${JSON.stringify(origins)}\n`).server.allowed_origins).toEqual(
      origins,
    );
  });

  it.each([
    'http://127.0.0.1:5173/',
    'http://x.example/app',
    'ftp://x.example',
    '127.0.0.1:5173',
    'null',
    'http://u@x',
  ])('refuses %s, naming the key and the form expected', (origin) => {
    let error: unknown;
    try {
      parse(`[server]\nallowed_origins = ["${origin}"]\n`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).message).toMatch(/server\.allowed_origins/);
    expect((error as HarnessError).message).toMatch(/scheme:\/\/host\[:port\], no path/);
  });
});
