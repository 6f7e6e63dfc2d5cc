import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, exceedsJsonDepth, findLoneSurrogate, mayHoldLoneSurrogate } from './json-limits.js';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('exceedsJsonDepth', () => {
  it('allows exactly the limit and refuses one level more, for arrays and objects alike', () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    const objects = '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    expect(exceedsJsonDepth(objects)).toBe(true);
    expect(exceedsJsonDepth(nested(3), 2)).toBe(true);
  });

  it('counts siblings by depth, not by number', () => {
    expect(exceedsJsonDepth(`[${Array.from({ length: 10_000 }, () => '[1]').join(',')}]`)).toBe(false);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(exceedsJsonDepth(JSON.stringify({ text: '['.repeat(10_000) }))).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ text: `\\"${'{'.repeat(500)}` }))).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify(['\\', nested(5)]))).toBe(false);
  });

  it('scans a megabyte of open brackets without touching the stack', () => {
    expect(exceedsJsonDepth('['.repeat(1 << 20))).toBe(true);
  });
});

describe('findLoneSurrogate', () => {
  it('names the path of a lone surrogate in values and keys', () => {
    expect(findLoneSurrogate(JSON.parse('{"params":{"title":"a\\ud800"}}'))).toBe('params.title');
    expect(findLoneSurrogate(JSON.parse('[{"x":1},{"tasks":["ok","\\udfff"]}]'))).toBe('[1].tasks[1]');
    expect(findLoneSurrogate(JSON.parse('{"\\ud800k":1}'), 'body')).toBe('body.\ud800k (the key)');
    expect(findLoneSurrogate('\udc00')).toBe('(the whole message)');
    expect(findLoneSurrogate(JSON.parse('"a\\ud83d"'))).not.toBeNull();
  });

  it('accepts well-formed text, surrogate pairs included', () => {
    expect(findLoneSurrogate(JSON.parse('{"a":["\\ud83d\\ude00",{"b":"é"}],"n":1,"z":null}'))).toBeNull();
  });

  it('walks deep values without recursion', () => {
    let deep: unknown = 'end\ud800';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findLoneSurrogate(deep)).toMatch(/^(\[0\]){100000}$/);
  });
});

describe('mayHoldLoneSurrogate', () => {
  it('is true only for text with a \\uD800-\\uDFFF escape', () => {
    expect(mayHoldLoneSurrogate('{"a":"\\uD800"}')).toBe(true);
    expect(mayHoldLoneSurrogate('{"a":"\\udbff\\udc00"}')).toBe(true);
    expect(mayHoldLoneSurrogate('{"a":"\\u00e9 \\ud7ff"}')).toBe(false);
  });
});
