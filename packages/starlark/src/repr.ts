import { fail } from './errors.js';
import type { Budget } from './limits.js';
import { decodeRune } from './utf8.js';
import {
  Builtin,
  Bytes,
  Dict,
  ElemsView,
  None,
  RangeValue,
  StarList,
  StarSet,
  Tuple,
  type Value,
} from './values.js';

/** Values nested deeper than this cannot be printed or compared (cyclic ones print as [...]). */
export const MAX_VALUE_DEPTH = 1000;

export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'nan';
  if (!Number.isFinite(f)) return f > 0 ? '+inf' : '-inf';
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  // Go's strconv 'g' with shortest precision: exponent form when exp < -4 or exp >= 6.
  const [mant, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = fixedShortest(mant, exp);
  return s.includes('.') ? s : s + '.0';
}

function fixedShortest(mant: string, exp: number): string {
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let s: string;
  if (exp >= 0) {
    s =
      digits.length > exp + 1
        ? digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1)
        : digits.padEnd(exp + 1, '0');
  } else {
    s = '0.' + '0'.repeat(-exp - 1) + digits;
  }
  return neg ? '-' + s : s;
}

const ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  11: '\\v',
  92: '\\\\',
  34: '\\"',
};

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation and symbols. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Printable ASCII other than `"` and `\\`, which quote as themselves. */
const plainRun = /[\x20\x21\x23-\x5b\x5d-\x7e]+/y;

/** Raised inside the writers when the text would pass its limit; callers turn it into their error. */
class TextTooLong extends Error {}

/**
 * Quotes a byte string the way starlark-go's syntax.Quote does. Escapes can make the text ten
 * times longer than `s`, so it stops as soon as it passes `limit` characters.
 */
export function quote(s: string, bytes = false, limit = Infinity): string {
  let out = bytes ? 'b"' : '"';
  for (let i = 0; i < s.length;) {
    if (out.length > limit) throw new TextTooLong();
    // Runs of printable ASCII are copied whole: most text is nothing else.
    plainRun.lastIndex = i;
    if (plainRun.test(s)) {
      const end = Math.min(plainRun.lastIndex, i + Math.max(limit - out.length + 1, 1));
      out += s.slice(i, end);
      i = end;
      continue;
    }
    const c = s.charCodeAt(i);
    const esc = ESCAPES[c];
    if (esc !== undefined) {
      out += esc;
      i++;
    } else if (c < 0x20 || c === 0x7f) {
      out += '\\x' + c.toString(16).padStart(2, '0');
      i++;
    } else if (c < 0x80) {
      out += s[i];
      i++;
    } else {
      const { cp, size } = decodeRune(s, i);
      if (cp === 0xfffd && size === 1) {
        out += '\\x' + c.toString(16).padStart(2, '0');
      } else if (!PRINTABLE.test(String.fromCodePoint(cp))) {
        out +=
          cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
      } else out += s.slice(i, i + size);
      i += size;
    }
  }
  return out + '"';
}

/** Collects the pieces of a text, refusing to grow past `limit` characters. */
class TextWriter {
  private readonly parts: string[] = [];
  length = 0;
  constructor(readonly limit: number) {}

  push(piece: string): void {
    this.length += piece.length;
    if (this.length > this.limit) throw new TextTooLong();
    this.parts.push(piece);
  }

  text(): string {
    return this.parts.join('');
  }
}

/**
 * `str(v)`. With a budget, the text may not pass the string length limit once appended to `used`
 * characters already built; it stops with a limit error as soon as it would, before building it.
 */
export function str(v: Value, budget?: Budget, used = 0): string {
  return typeof v === 'string' ? v : repr(v, budget, used);
}

/** `repr(v)`, bounded like `str`. Without a budget, unbounded: only for trusted callers. */
export function repr(v: Value, budget?: Budget, used = 0): string {
  const out = new TextWriter(budget ? budget.limits.maxStringLength - used : Infinity);
  try {
    write(v, out, [], 0);
  } catch (error) {
    if (error instanceof TextTooLong && budget) budget.checkString(used + out.limit + 1, true);
    throw error;
  }
  return out.text();
}

/** A value as error messages show it: at most `max` characters, then `...`. */
export function reprForMessage(v: Value, max = 200): string {
  const out = new TextWriter(max);
  try {
    write(v, out, [], 0);
    return out.text();
  } catch (error) {
    if (error instanceof TextTooLong) return `${out.text()}...`;
    throw error;
  }
}

function write(v: Value, out: TextWriter, path: object[], depth: number): void {
  switch (typeof v) {
    case 'string':
      out.push(quote(v, false, out.limit - out.length));
      return;
    case 'bigint':
      out.push(v.toString());
      return;
    case 'number':
      out.push(formatFloat(v));
      return;
    case 'boolean':
      out.push(v ? 'True' : 'False');
      return;
  }
  if (v === None) return void out.push('None');
  if (depth > MAX_VALUE_DEPTH) fail('value nested too deeply to print');
  if (v instanceof StarList || v instanceof Tuple || v instanceof Dict || v instanceof StarSet) {
    if (path.includes(v)) {
      out.push(v instanceof StarList ? '[...]' : v instanceof Dict ? '{...}' : '...');
      return;
    }
    path.push(v);
    writeContainer(v, out, path, depth);
    path.pop();
    return;
  }
  if (v instanceof Bytes) return void out.push(quote(v.data, true, out.limit - out.length));
  if (v instanceof ElemsView) {
    return void out.push(`${quote(v.src, v.bytes, out.limit - out.length)}.${v.method}()`);
  }
  if (v instanceof RangeValue) {
    if (v.step !== 1n) out.push(`range(${v.start}, ${v.stop}, ${v.step})`);
    else out.push(v.start === 0n ? `range(${v.stop})` : `range(${v.start}, ${v.stop})`);
    return;
  }
  if (v instanceof Builtin) {
    out.push(
      v.isMethod
        ? `<built-in method ${v.name} of ${typeNameOf(v.self)} value>`
        : `<built-in function ${v.name}>`,
    );
    return;
  }
  out.push(String(v));
}

function typeNameOf(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (v instanceof StarList) return 'list';
  if (v instanceof Dict) return 'dict';
  if (v instanceof StarSet) return 'set';
  if (v instanceof Bytes) return 'bytes';
  return 'value';
}

function writeContainer(
  v: StarList | Tuple | Dict | StarSet,
  out: TextWriter,
  path: object[],
  depth: number,
): void {
  if (v instanceof StarList || v instanceof Tuple) {
    const list = v instanceof StarList;
    out.push(list ? '[' : '(');
    v.elems.forEach((e, i) => {
      if (i > 0) out.push(', ');
      write(e, out, path, depth + 1);
    });
    if (!list && v.elems.length === 1) out.push(',');
    out.push(list ? ']' : ')');
  } else if (v instanceof Dict) {
    out.push('{');
    let first = true;
    for (const [k, val] of v.map.values()) {
      if (!first) out.push(', ');
      first = false;
      write(k, out, path, depth + 1);
      out.push(': ');
      write(val, out, path, depth + 1);
    }
    out.push('}');
  } else {
    out.push('set([');
    let first = true;
    for (const e of v.map.values()) {
      if (!first) out.push(', ');
      first = false;
      write(e, out, path, depth + 1);
    }
    out.push('])');
  }
}
