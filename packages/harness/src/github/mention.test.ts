import { describe, expect, it } from 'vitest';
import { parseMention } from './mention.js';

describe('parseMention commands', () => {
  it.each([
    ['@harness implement this', 'implement', 'implement this'],
    ['@harness: implement', 'implement', 'implement'],
    ['@harness please implement the parser change', 'implement', 'please implement the parser change'],
    ['@harness fix ci', 'fix_ci', 'fix ci'],
    ['please @Harness FIX CI', 'fix_ci', 'FIX CI'],
    ['@harness fix-ci', 'fix_ci', 'fix-ci'],
    ['@harness fix_ci', 'fix_ci', 'fix_ci'],
    ['@harness fix the build', 'fix_ci', 'fix the build'],
    ['@harness review', 'review', 'review'],
    ['@harness, re-review please', 'review', 're-review please'],
    ['@harness address the review comments', 'address_review', 'address the review comments'],
    ['@harness address review', 'address_review', 'address review'],
    [
      '@harness could you resolve all reviewer comments?',
      'address_review',
      'could you resolve all reviewer comments?',
    ],
    ['@harness fix the feedback from Bob', 'address_review', 'fix the feedback from Bob'],
    ['@harness rename `foo` to `bar`', 'free_text', 'rename `foo` to `bar`'],
    ['@harness', 'free_text', ''],
    ['@harness reviewing this later is fine', 'free_text', 'reviewing this later is fine'],
  ])('%j → %s', (body, kind, text) => {
    expect(parseMention(body)).toEqual({ kind, text });
  });

  it('keeps the lines after the mention as the instruction', () => {
    const body =
      'Looks close.\n\n@harness implement this\nUse the existing tokenizer.\n```ts\nlex(input)\n```\n';
    expect(parseMention(body)).toEqual({
      kind: 'implement',
      text: 'implement this\nUse the existing tokenizer.\n```ts\nlex(input)\n```',
    });
  });

  it('lets the first mention decide', () => {
    expect(parseMention('@harness review then @harness fix ci')?.kind).toBe('review');
  });

  it('handles CRLF line endings', () => {
    expect(parseMention('Hi\r\n@harness fix ci\r\nthanks')).toEqual({
      kind: 'fix_ci',
      text: 'fix ci\nthanks',
    });
  });
});

describe('parseMention boundaries', () => {
  it('returns null without a mention', () => {
    expect(parseMention('Please fix this when you can.')).toBeNull();
    expect(parseMention('')).toBeNull();
  });

  it.each([
    ['a longer login', '@harnessbot implement this'],
    ['a dashed login', '@harness-bot implement this'],
    ['a bot login', '@harness[bot] review'],
    ['an e-mail address', 'mail ops@harness.dev about it'],
    ['a path', 'see docs/@harness/readme'],
  ])('ignores %s', (_name, body) => {
    expect(parseMention(body)).toBeNull();
  });

  it('matches the handle next to punctuation', () => {
    expect(parseMention('(@harness review)')?.kind).toBe('review');
    expect(parseMention('thanks @HARNESS!')).toEqual({ kind: 'free_text', text: '' });
  });

  it('ignores mentions inside fenced code blocks, inline code and HTML comments', () => {
    expect(parseMention('```\n@harness implement this\n```')).toBeNull();
    expect(parseMention('~~~~sh\n@harness fix ci\n~~~\nstill code\n~~~~')).toBeNull();
    expect(parseMention('Type `@harness review` to ask for a review.')).toBeNull();
    expect(parseMention('<!-- @harness implement this -->\nThanks')).toBeNull();
    expect(parseMention('```\n@harness implement\n```\n@harness review')).toEqual({
      kind: 'review',
      text: 'review',
    });
  });

  it('ignores quoted replies but sees a mention after them', () => {
    const reply = '> @harness implement this\n> (quoted from Alice)\n\nAgreed, but not yet.';
    expect(parseMention(reply)).toBeNull();
    expect(parseMention(`${reply}\n\n@harness review`)?.kind).toBe('review');
    expect(parseMention('   > nested @harness fix ci')).toBeNull();
  });

  it('uses a configured handle, with or without the @', () => {
    expect(parseMention('@harness-bot fix ci', '@harness-bot')?.kind).toBe('fix_ci');
    expect(parseMention('@harness fix ci', '@harness-bot')).toBeNull();
    expect(parseMention('@Robo.Dev review', 'robo.dev')?.kind).toBe('review');
    expect(parseMention('@roboXdev review', 'robo.dev')).toBeNull();
  });
});
