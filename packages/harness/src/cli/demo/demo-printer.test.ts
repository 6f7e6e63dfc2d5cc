import { describe, expect, it } from 'vitest';
import type { Event } from '@harness/protocol';
import { demoPrinter } from './demo-printer.js';

/** What the printer wrote, through a stream that is not a terminal (so no colour). */
function printed(events: Partial<Event>[]): string {
  let text = '';
  const out = {
    isTTY: false,
    write: (chunk: string) => ((text += chunk), true),
  } as unknown as NodeJS.WriteStream;
  const print = demoPrinter('task_1', out);
  for (const event of events) print({ task_id: 'task_1', data: null, ...event } as Event);
  return text;
}

describe("the task printer's guard lines", () => {
  it('shows each scan of the guards, and nothing when there was nothing to scan', () => {
    expect(
      printed([
        { kind: 'task.guards', data: { scanned: false, skipped: 'no file changed' } },
        { kind: 'task.guards', data: { scanned: true, new: 2, blocking: 1, preexisting: 3 } },
        { kind: 'task.guards', data: { scanned: true, new: 0, blocking: 0, preexisting: 0 } },
      ]),
    ).toBe(
      '  guards: 2 new finding(s), 1 blocking, 3 already there\n  guards: 0 new finding(s), none blocking\n',
    );
  });
});
