import { arity, noKwargs, unpack } from './args.js';
import { fail } from './errors.js';
import { strFormat } from './format.js';
import type { Budget } from './limits.js';
import { elements, isIterable } from './sequence.js';
import { decodeUtf8, encodeUtf8, runes } from './utf8.js';
import type { Bytes } from './values.js';
import {
  ElemsView,
  None,
  StarList,
  Tuple,
  type MethodTable,
  type NativeFn,
  type Value,
  typeName,
} from './values.js';

const SPACE = /\s/u;
const UPPER = /[\p{Lu}\p{Lt}]/u;
const LOWER = /\p{Ll}/u;
const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;

/** Applies a Unicode-aware transformation to a byte string via its decoded text. */
function viaText(s: string, f: (t: string) => string): string {
  return encodeUtf8(f(decodeUtf8(s)));
}

function strArg(fname: string, v: Value | undefined, what = 'string'): string {
  if (typeof v !== 'string') return fail(`${fname}: got ${typeName(v ?? None)}, want ${what}`);
  return v;
}

/** Resolves optional [start:end] arguments to byte offsets, as str.find and friends take them. */
function bounds(
  fname: string,
  n: number,
  start: Value | undefined,
  end: Value | undefined,
): [number, number] {
  const conv = (v: Value | undefined, d: number): number => {
    if (v === undefined || v === None) return d;
    if (typeof v !== 'bigint') fail(`${fname}: got ${typeName(v)}, want int`);
    let i = Number(v);
    if (i < 0) i += n;
    return Math.max(0, Math.min(n, i));
  };
  return [conv(start, 0), conv(end, n)];
}

function find(name: string, right: boolean, raise: boolean): NativeFn {
  return (s, args, kw) => {
    noKwargs(name, kw);
    arity(name, args, 1, 3);
    const str = s as string;
    const sub = strArg(name, args[0]);
    const [lo, hi] = bounds(name, str.length, args[1], args[2]);
    const region = str.slice(lo, hi);
    const i = lo > hi ? -1 : right ? region.lastIndexOf(sub) : region.indexOf(sub);
    if (i < 0) return raise ? fail(`${name}: substring not found`) : -1n;
    return BigInt(i + lo);
  };
}

function affix(name: string, suffix: boolean): NativeFn {
  return (s, args, kw) => {
    noKwargs(name, kw);
    arity(name, args, 1, 3);
    const str = s as string;
    const [lo, hi] = bounds(name, str.length, args[1], args[2]);
    const region = str.slice(lo, hi);
    const x = args[0]!;
    const options = x instanceof Tuple ? x.elems : [x];
    if (!(x instanceof Tuple) && typeof x !== 'string')
      fail(`${name}: got ${typeName(x)}, want string or tuple of strings`);
    return options.some((p, i) => {
      if (typeof p !== 'string') fail(`${name}: got ${typeName(p)}, for element ${i}, want string`);
      return suffix ? region.endsWith(p) : region.startsWith(p);
    });
  };
}

function predicate(name: string, f: (text: string) => boolean): NativeFn {
  return (s, args, kw) => {
    noKwargs(name, kw);
    arity(name, args, 0, 0);
    return f(decodeUtf8(s as string));
  };
}

function transform(name: string, f: (text: string) => string): NativeFn {
  return (s, args, kw) => {
    noKwargs(name, kw);
    arity(name, args, 0, 0);
    return viaText(s as string, f);
  };
}

function strip(name: string, left: boolean, right: boolean): NativeFn {
  return (s, args, kw) => {
    noKwargs(name, kw);
    arity(name, args, 0, 1);
    const rs = runes(s as string);
    const chars =
      args[0] === undefined || args[0] === None || args[0] === ''
        ? null
        : new Set(runes(strArg(name, args[0])));
    const drop = (r: string): boolean => (chars === null ? SPACE.test(decodeUtf8(r)) : chars.has(r));
    let i = 0;
    let j = rs.length;
    if (left) while (i < j && drop(rs[i]!)) i++;
    if (right) while (j > i && drop(rs[j - 1]!)) j--;
    return rs.slice(i, j).join('');
  };
}

/** The digraphs whose title case differs from their upper case (Unicode Lt). */
const TITLECASE: Record<string, string> = {
  '\u01c4': '\u01c5',
  '\u01c5': '\u01c5',
  '\u01c6': '\u01c5',
  '\u01c7': '\u01c8',
  '\u01c8': '\u01c8',
  '\u01c9': '\u01c8',
  '\u01ca': '\u01cb',
  '\u01cb': '\u01cb',
  '\u01cc': '\u01cb',
  '\u01f1': '\u01f2',
  '\u01f2': '\u01f2',
  '\u01f3': '\u01f2',
};

function title(t: string): string {
  let prevCased = false;
  let out = '';
  for (const ch of t) {
    const r = prevCased ? ch.toLowerCase() : (TITLECASE[ch] ?? ch.toUpperCase());
    prevCased = CASED.test(r);
    out += r;
  }
  return out;
}

function istitle(t: string): boolean {
  let cased = false;
  let prevCased = false;
  for (const ch of t) {
    if (UPPER.test(ch)) {
      if (prevCased) return false;
      cased = prevCased = true;
    } else if (LOWER.test(ch)) {
      if (!prevCased) return false;
      cased = prevCased = true;
    } else prevCased = false;
  }
  return cased;
}

/** Splits on runs of whitespace; once maxsplit is reached the remainder is kept verbatim. */
function splitWhitespace(s: string, maxsplit: number, fromRight: boolean): string[] {
  const out: string[] = [];
  let rest = s;
  for (;;) {
    rest = fromRight ? rest.replace(/[\t\n\v\f\r ]+$/, '') : rest.replace(/^[\t\n\v\f\r ]+/, '');
    if (rest === '') break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(rest);
      break;
    }
    const word = (fromRight ? /[^\t\n\v\f\r ]+$/ : /^[^\t\n\v\f\r ]+/).exec(rest)![0];
    out.push(word);
    rest = fromRight ? rest.slice(0, rest.length - word.length) : rest.slice(word.length);
  }
  return fromRight ? out.reverse() : out;
}

function split(name: string, fromRight: boolean): NativeFn {
  return (s, args, kw, call) => {
    const [sepV, maxV] = unpack(name, args, kw, ['sep?', 'maxsplit?']);
    const str = s as string;
    const max = maxV === undefined || maxV === None ? -1 : Number(maxV as bigint);
    let parts: string[];
    if (sepV === undefined || sepV === None) parts = splitWhitespace(str, max, fromRight);
    else {
      const sep = strArg(name, sepV);
      if (sep === '') fail(`${name}: empty separator`);
      const all = str.split(sep);
      if (max < 0 || all.length <= max + 1) parts = all;
      else if (fromRight) parts = [all.slice(0, all.length - max).join(sep), ...all.slice(all.length - max)];
      else parts = [...all.slice(0, max), all.slice(max).join(sep)];
    }
    call.thread.budget.alloc(parts.length);
    return new StarList(parts);
  };
}

function partition(name: string, fromRight: boolean): NativeFn {
  return (s, args, kw) => {
    noKwargs(name, kw);
    arity(name, args, 1, 1);
    const str = s as string;
    const sep = strArg(name, args[0]);
    if (sep === '') fail(`${name}: empty separator`);
    const i = fromRight ? str.lastIndexOf(sep) : str.indexOf(sep);
    if (i < 0) return new Tuple(fromRight ? ['', '', str] : [str, '', '']);
    return new Tuple([str.slice(0, i), sep, str.slice(i + sep.length)]);
  };
}

function view(name: ElemsView['method']): NativeFn {
  return (s, args, kw) => {
    noKwargs(name, kw);
    arity(name, args, 0, 0);
    return new ElemsView(s as string, name, false);
  };
}

export const stringMethods: MethodTable = Object.freeze({
  capitalize: transform('capitalize', (t) => {
    const first = t.codePointAt(0);
    if (first === undefined) return t;
    const n = first > 0xffff ? 2 : 1;
    return t.slice(0, n).toUpperCase() + t.slice(n).toLowerCase();
  }),
  codepoint_ords: view('codepoint_ords'),
  codepoints: view('codepoints'),
  count: (s, args, kw) => {
    noKwargs('count', kw);
    arity('count', args, 1, 3);
    const str = s as string;
    const sub = strArg('count', args[0]);
    const [lo, hi] = bounds('count', str.length, args[1], args[2]);
    const region = lo <= hi ? str.slice(lo, hi) : '';
    if (sub === '') return BigInt(runes(region).length + 1);
    return BigInt(region.split(sub).length - 1);
  },
  elem_ords: view('elem_ords'),
  elems: view('elems'),
  endswith: affix('endswith', true),
  find: find('find', false, false),
  format: (s, args, kw, call) => strFormat(s as string, args, kw ?? [], call.thread.budget),
  index: find('index', false, true),
  isalnum: predicate('isalnum', (t) => /^[\p{L}\p{Nd}]+$/u.test(t)),
  isalpha: predicate('isalpha', (t) => /^\p{L}+$/u.test(t)),
  isdigit: predicate('isdigit', (t) => /^\p{Nd}+$/u.test(t)),
  islower: predicate('islower', (t) => CASED.test(t) && t === t.toLowerCase()),
  isspace: predicate('isspace', (t) => /^\s+$/u.test(t)),
  istitle: predicate('istitle', istitle),
  isupper: predicate('isupper', (t) => CASED.test(t) && t === t.toUpperCase()),
  join: (s, args, kw, { thread: { budget } }) => {
    noKwargs('join', kw);
    arity('join', args, 1, 1);
    const x = args[0]!;
    if (!isIterable(x)) fail(`join: got ${typeName(x)}, want iterable`);
    const items = elements(x, budget);
    let size = 0;
    items.forEach((v, i) => {
      if (typeof v !== 'string') fail(`join: in list, want string, got ${typeName(v)}`);
      size += v.length + (i > 0 ? (s as string).length : 0);
    });
    budget.string(size);
    return (items as string[]).join(s as string);
  },
  lower: transform('lower', (t) => t.toLowerCase()),
  lstrip: strip('lstrip', true, false),
  partition: partition('partition', false),
  removeprefix: (s, args, kw) => {
    noKwargs('removeprefix', kw);
    arity('removeprefix', args, 1, 1);
    const p = strArg('removeprefix', args[0]);
    return (s as string).startsWith(p) ? (s as string).slice(p.length) : s;
  },
  removesuffix: (s, args, kw) => {
    noKwargs('removesuffix', kw);
    arity('removesuffix', args, 1, 1);
    const p = strArg('removesuffix', args[0]);
    return p !== '' && (s as string).endsWith(p) ? (s as string).slice(0, -p.length) : s;
  },
  replace: (s, args, kw, call) => {
    noKwargs('replace', kw);
    arity('replace', args, 2, 3);
    const [old, rep] = [strArg('replace', args[0]), strArg('replace', args[1])];
    const n = args[2] === undefined || args[2] === None ? -1 : Number(args[2] as bigint);
    return replace(s as string, old, rep, n, call.thread.budget);
  },
  rfind: find('rfind', true, false),
  rindex: find('rindex', true, true),
  rpartition: partition('rpartition', true),
  rsplit: split('rsplit', true),
  rstrip: strip('rstrip', false, true),
  split: split('split', false),
  splitlines: (s, args, kw) => {
    const [keep] = unpack('splitlines', args, kw, ['keepends?']);
    if (keep !== undefined && typeof keep !== 'boolean')
      fail(`splitlines: for parameter keepends: got ${typeName(keep)}, want bool`);
    const str = s as string;
    if (str === '') return new StarList([]);
    const lines = keep === true ? str.split(/(?<=\n)/) : str.split('\n');
    if (str.endsWith('\n') && keep !== true) lines.pop();
    return new StarList(lines);
  },
  startswith: affix('startswith', false),
  strip: strip('strip', true, true),
  title: transform('title', title),
  upper: transform('upper', (t) => t.toUpperCase()),
});

/** `str.replace`; the length of the result is known, and checked, before it is built. */
function replace(s: string, old: string, rep: string, n: number, budget: Budget): string {
  if (n < 0) {
    const pieces = old === '' ? runes(s) : s.split(old);
    // An empty `old` matches before every rune and at the end; otherwise between the pieces.
    const matches = old === '' ? pieces.length + 1 : pieces.length - 1;
    budget.string(s.length + matches * (rep.length - old.length));
    return old === '' ? rep + pieces.join(rep) + rep : pieces.join(rep);
  }
  let out = '';
  let rest = s;
  for (let k = 0; k < n; k++) {
    const i = old === '' ? (k === 0 ? 0 : rest.length > 0 ? runes(rest)[0]!.length : -1) : rest.indexOf(old);
    if (i < 0) break;
    budget.checkString(out.length + rest.length + rep.length - old.length);
    out += rest.slice(0, i) + rep;
    rest = rest.slice(i + old.length);
    if (old === '' && rest === '' && k > 0) break;
  }
  budget.string(out.length + rest.length);
  return out + rest;
}

export const bytesMethods: MethodTable = Object.freeze({
  elems: (s, args, kw) => {
    noKwargs('elems', kw);
    arity('elems', args, 0, 0);
    return new ElemsView((s as Bytes).data, 'elems', true);
  },
});
