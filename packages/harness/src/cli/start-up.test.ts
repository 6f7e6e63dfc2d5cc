import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandName, entryFor } from './start-up.js';

describe('commandName', () => {
  it('finds the command after the global options, with or without their values attached', () => {
    expect(commandName(['rule', 'check', 'p.star'])).toBe('rule');
    expect(commandName(['--json', 'rule', 'load', 'x'])).toBe('rule');
    expect(commandName(['-c', 'rule', 'serve'])).toBe('serve'); // "rule" is the config path here
    expect(commandName(['--config', 'a.toml', '-p', 'x=/y', '--project', 'z', 'rule'])).toBe('rule');
    expect(commandName(['--config=a.toml', '--project=x', '-ca.toml', '-px', 'doctor'])).toBe('doctor');
  });

  it('gives up on anything else before the command, so the whole CLI answers it', () => {
    expect(commandName([])).toBeUndefined();
    expect(commandName(['--help', 'rule'])).toBeUndefined();
    expect(commandName(['--version'])).toBeUndefined();
    expect(commandName(['--', 'rule'])).toBeUndefined();
  });
});

describe('entryFor', () => {
  let root: string;
  let harness: string;
  const at = (rel: string) => path.join(root, rel);
  /** Creates a file whose modification time is `seconds` after the epoch. */
  const file = (rel: string, seconds: number) => {
    mkdirSync(path.dirname(at(rel)), { recursive: true });
    writeFileSync(at(rel), '');
    utimesSync(at(rel), seconds, seconds);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'harness-start-up-'));
    harness = at('harness');
    file('harness/tsconfig.tsbuildinfo', 100);
    file('starlark/tsconfig.tsbuildinfo', 100);
    file('protocol/tsconfig.tsbuildinfo', 100);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('loads the whole CLI for every command but rule', () => {
    file('harness/dist/bundle/rule-main.js', 200);
    expect(entryFor(['serve'], harness)).toBe(at('harness/dist/cli/main.js'));
    expect(entryFor(['--help'], harness)).toBe(at('harness/dist/cli/main.js'));
  });

  it('loads the rule bundle when it is newer than every compile', () => {
    file('harness/dist/bundle/rule-main.js', 200);
    expect(entryFor(['--json', 'rule', 'check', 'p.star'], harness)).toBe(
      at('harness/dist/bundle/rule-main.js'),
    );
  });

  it('loads the compiled rule entry when the bundle is missing or older than a compile', () => {
    expect(entryFor(['rule'], harness)).toBe(at('harness/dist/cli/rule-main.js'));
    file('harness/dist/bundle/rule-main.js', 200);
    for (const pkg of ['harness', 'starlark', 'protocol']) {
      file(`${pkg}/tsconfig.tsbuildinfo`, 300);
      expect(entryFor(['rule'], harness), pkg).toBe(at('harness/dist/cli/rule-main.js'));
      file(`${pkg}/tsconfig.tsbuildinfo`, 100);
    }
    expect(entryFor(['rule'], harness)).toBe(at('harness/dist/bundle/rule-main.js'));
  });
});
