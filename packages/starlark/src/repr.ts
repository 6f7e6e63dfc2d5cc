import { fail } from './errors.js';
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

/** Quotes a byte string the way starlark-go's syntax.Quote does. */
export function quote(s: string, bytes = false): string {
  let out = bytes ? 'b"' : '"';
  for (let i = 0; i < s.length;) {
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

export function str(v: Value): string {
  return typeof v === 'string' ? v : repr(v);
}

export function repr(v: Value): string {
  const parts: string[] = [];
  write(v, parts, [], 0);
  return parts.join('');
}

function write(v: Value, out: string[], path: object[], depth: number): void {
  switch (typeof v) {
    case 'string':
      out.push(quote(v));
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
  if (v instanceof Bytes) return void out.push(quote(v.data, true));
  if (v instanceof ElemsView) return void out.push(`${quote(v.src, v.bytes)}.${v.method}()`);
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
  out: string[],
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
