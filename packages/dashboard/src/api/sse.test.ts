import { describe, expect, it } from 'vitest';
import { readSse, SseParser } from './sse.js';

describe('SseParser', () => {
  it('parses messages cut anywhere, with ids, kinds, multi-line data, comments and CRLF', () => {
    const wire =
      ': keep-alive\r\n\r\nid: 7\r\nevent: task.stage\r\ndata: {"a":1}\r\n\r\nid: 8\nevent: agent.text\ndata: line one\ndata: line two\n\n';
    for (let cut = 1; cut < wire.length; cut++) {
      const parser = new SseParser();
      const messages = [...parser.push(wire.slice(0, cut)), ...parser.push(wire.slice(cut))];
      expect(messages, `cut at ${cut}`).toEqual([
        { id: '7', event: 'task.stage', data: '{"a":1}' },
        { id: '8', event: 'agent.text', data: 'line one\nline two' },
      ]);
    }
  });

  it('keeps a message without a blank line pending, and skips unknown fields', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 10\nfoo: bar\ndata: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: null, event: 'message', data: 'x' }]);
  });
});

describe('readSse', () => {
  it('reads a byte stream whose chunks split a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('id: 1\ndata: héllo ✓\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const seen: string[] = [];
    await readSse(body, (message) => seen.push(message.data));
    expect(seen).toEqual(['héllo ✓']);
  });
});
