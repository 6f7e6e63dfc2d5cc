import { fail } from './errors.js';
import type { Budget } from './limits.js';
import { formatFloat, repr, str } from './repr.js';
import { decodeRune, encodeRune } from './utf8.js';
import { Dict, Tuple, type Value, typeName } from './values.js';

/** Float conversions shared by `%` and str(): %e/%f use six digits, %g the shortest form. */
export function formatFloatConv(f: number, conv: string): string {
  const lower = conv.toLowerCase();
  let s: string;
  if (!Number.isFinite(f)) s = formatFloat(f);
  else if (lower === 'g') s = formatFloat(f).replace(/\.0$/, lower === conv ? '.0' : '.0');
  else if (lower === 'e') {
    const [m, e] = f.toExponential(6).split('e') as [string, string];
    const n = Number(e);
    s = `${Object.is(f, -0) ? '-' : ''}${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  } else s = Math.abs(f) < 1e21 ? (Object.is(f, -0) ? '-' : '') + f.toFixed(6) : fixedBig(f);
  return conv === lower ? s : s.toUpperCase();
}

function fixedBig(f: number): string {
  const neg = f < 0;
  const digits = BigInt(Math.abs(f)).toString();
  return (neg ? '-' : '') + digits + '.000000';
}

function toIntForFormat(arg: Value, c: string): bigint {
  if (typeof arg === 'bigint') return arg;
  if (typeof arg === 'number') {
    if (Number.isNaN(arg)) fail(`%${c} format requires integer: cannot convert float NaN to integer`);
    if (!Number.isFinite(arg))
      fail(`%${c} format requires integer: cannot convert float infinity to integer`);
    return BigInt(Math.trunc(arg));
  }
  if (typeof arg === 'boolean') fail(`%${c} format requires integer: cannot convert bool to int`);
  return fail(`%${c} format requires integer, not ${typeName(arg)}`);
}

/** The `%` operator on strings. */
export function interpolate(format: string, x: Value, budget: Budget): string {
  const args = x instanceof Tuple ? x.elems : [x];
  let out = '';
  let index = 0;
  let i = 0;
  for (;;) {
    const p = format.indexOf('%', i);
    if (p < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, p);
    i = p + 1;
    if (format[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    let arg: Value;
    if (format[i] === '(') {
      const j = format.indexOf(')', i);
      if (j < 0) fail('incomplete format key');
      const key = format.slice(i + 1, j);
      if (!(x instanceof Dict)) fail('format requires a mapping');
      const e = x.map.get(key);
      if (e === undefined) fail(`key not found: ${key}`);
      arg = e[1];
      i = j + 1;
    } else {
      if (index >= args.length) fail('not enough arguments for format string');
      arg = args[index]!;
    }
    if (i >= format.length) fail('incomplete format');
    const piece = conversion(format[i]!, arg, budget, out.length);
    budget.checkString(out.length + piece.length);
    out += piece;
    i++;
    index++;
  }
  if (index < args.length && !(x instanceof Dict)) fail('too many arguments for format string');
  budget.string(out.length);
  return out;
}

/** One `%` conversion; `used` is the length of the text already built, for the string length limit. */
function conversion(c: string, arg: Value, budget: Budget, used: number): string {
  switch (c) {
    case 's':
      return str(arg, budget, used);
    case 'r':
      return repr(arg, budget, used);
    case 'd':
    case 'i':
      return toIntForFormat(arg, c).toString();
    case 'o':
      return toIntForFormat(arg, c).toString(8);
    case 'x':
      return toIntForFormat(arg, c).toString(16);
    case 'X':
      return toIntForFormat(arg, c).toString(16).toUpperCase();
    case 'e':
    case 'f':
    case 'g':
    case 'E':
    case 'F':
    case 'G': {
      const f = typeof arg === 'number' ? arg : typeof arg === 'bigint' ? Number(arg) : NaN;
      if (typeof arg !== 'number' && typeof arg !== 'bigint')
        fail(`%${c} format requires float, not ${typeName(arg)}`);
      return formatFloatConv(f, c);
    }
    case 'c':
      return charConversion(arg);
  }
  return fail(`unknown conversion %${c}`);
}

function charConversion(arg: Value): string {
  if (typeof arg === 'bigint') {
    if (arg < 0n || arg > 0x10ffffn) fail(`%c format requires a valid Unicode code point, got ${arg}`);
    return encodeRune(Number(arg));
  }
  if (typeof arg === 'string') {
    if (arg.length === 0 || decodeRune(arg, 0).size !== arg.length)
      fail('%c format requires a single-character string');
    return arg;
  }
  return fail(`%c format requires int or single-character string, not ${typeName(arg)}`);
}

/** str.format: positional, keyword and automatic fields with !s/!r conversions, no specs. */
export function strFormat(format: string, args: Value[], kwargs: [string, Value][], budget: Budget): string {
  let out = '';
  let auto = false;
  let manual = false;
  let index = 0;
  let rest = format;
  for (;;) {
    const brace = rest.indexOf('{');
    let literal = brace >= 0 ? rest.slice(0, brace) : rest;
    for (;;) {
      const j = literal.indexOf('}');
      if (j < 0) {
        out += literal;
        break;
      }
      if (literal[j + 1] !== '}') fail("format: single '}' in format");
      out += literal.slice(0, j + 1);
      literal = literal.slice(j + 2);
    }
    if (brace < 0) break;
    if (rest[brace + 1] === '{') {
      out += '{';
      rest = rest.slice(brace + 2);
      continue;
    }
    rest = rest.slice(brace + 1);
    const close = rest.indexOf('}');
    if (close < 0) fail("format: unmatched '{' in format");
    const field = rest.slice(0, close);
    rest = rest.slice(close + 1);
    const { name, conv, spec } = splitField(field);
    let arg: Value | undefined;
    if (name === '') {
      if (manual) fail('format: cannot switch from manual field specification to automatic field numbering');
      auto = true;
      if (index >= args.length) fail('format: tuple index out of range');
      arg = args[index++];
    } else if (/^\d+$/.test(name)) {
      if (auto) fail('format: cannot switch from automatic field numbering to manual field specification');
      manual = true;
      const n = Number(name);
      if (n >= args.length) fail('format: tuple index out of range');
      arg = args[n];
    } else {
      arg = kwargs.find(([k]) => k === name)?.[1];
      if (arg === undefined) missingField(name);
    }
    if (spec !== '') fail(`format spec features not supported in replacement fields: ${spec}`);
    if (conv === 's') out += str(arg!, budget, out.length);
    else if (conv === 'r') out += repr(arg!, budget, out.length);
    else fail(`format: unknown conversion ${JSON.stringify(conv)}`);
    budget.checkString(out.length);
  }
  budget.string(out.length);
  return out;
}

function splitField(field: string): { name: string; conv: string; spec: string } {
  const bang = field.indexOf('!');
  if (bang < 0) {
    const colon = field.indexOf(':');
    return colon < 0
      ? { name: field, conv: 's', spec: '' }
      : { name: field.slice(0, colon), conv: 's', spec: field.slice(colon + 1) };
  }
  const rest = field.slice(bang + 1);
  const colon = rest.indexOf(':');
  return {
    name: field.slice(0, bang),
    conv: colon < 0 ? rest : rest.slice(0, colon),
    spec: colon < 0 ? '' : rest.slice(colon + 1),
  };
}

function missingField(name: string): never {
  if (name.includes('.'))
    fail(`format: attribute syntax x.y is not supported in replacement fields: ${name}`);
  if (name.includes('[')) fail(`format: element syntax a[i] is not supported in replacement fields: ${name}`);
  if (name.includes('{')) fail('format: nested replacement fields not supported');
  return fail(`format: keyword ${name} not found`);
}
