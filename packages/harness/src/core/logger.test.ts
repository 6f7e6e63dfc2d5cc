import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, formatTextLine, resolveLogFormat } from './logger.js';

function capture(isTTY: boolean) {
  const stream = new PassThrough();
  Object.assign(stream, { isTTY });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('formatTextLine', () => {
  it('writes time, level, message and key=value, quoting values with spaces', () => {
    const time = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const line = JSON.stringify({
      level: 40,
      time,
      name: 'harness',
      msg: 'task failed',
      task_id: 'tsk_1',
      reason: 'no reviewer "codex"',
      cost: 0.25,
      detail: { a: 1 },
    });
    expect(formatTextLine(line)).toBe(
      '03:04:05.678 WARN  task failed task_id=tsk_1 reason="no reviewer \\"codex\\"" cost=0.25 detail={"a":1}\n',
    );
  });

  it('puts an error message inline and its stack below', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'boom',
      err: { type: 'Error', message: 'bad thing', stack: 'Error: bad thing\n    at x' },
    });
    expect(formatTextLine(line)).toBe(
      '00:00:00.000 ERROR boom err="bad thing"\n    Error: bad thing\n        at x\n',
    );
  });

  it('passes through a line that is not a JSON object', () => {
    expect(formatTextLine('plain\n')).toBe('plain\n');
    expect(formatTextLine('[1]')).toBe('[1]');
  });
});

describe('createLogger formats', () => {
  it('auto is text on a terminal and JSON otherwise; an explicit format wins', () => {
    expect(resolveLogFormat('auto', Object.assign(new PassThrough(), { isTTY: true }))).toBe('text');
    expect(resolveLogFormat('auto', new PassThrough())).toBe('json');
    expect(resolveLogFormat('json', Object.assign(new PassThrough(), { isTTY: true }))).toBe('json');
    expect(resolveLogFormat('text', new PassThrough())).toBe('text');
  });

  it('redacts secrets in text as in JSON', () => {
    const terminal = capture(true);
    createLogger('info', terminal.stream).info({ api_key: 'sk-secret', user: 'x' }, 'hello');
    expect(terminal.text()).toMatch(/ INFO +hello api_key=\[redacted\] user=x\n$/);
    const pipe = capture(false);
    createLogger('info', pipe.stream).info({ api_key: 'sk-secret' }, 'hello');
    expect(JSON.parse(pipe.text())).toMatchObject({ msg: 'hello', api_key: '[redacted]' });
  });
});
