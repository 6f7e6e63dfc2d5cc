/*
 * Starlark strings follow starlark-go: they are sequences of bytes (normally UTF-8), so len(),
 * indexing and slicing count bytes. Internally a string is a JS string whose code units are all
 * below 256, one per byte. These helpers convert at the boundaries (source text, host values).
 */

// eslint-disable-next-line no-control-regex -- the test is precisely for the ASCII range
const ASCII = /^[\x00-\x7f]*$/;

export function isAscii(s: string): boolean {
  return ASCII.test(s);
}

/** Host (UTF-16) text to internal byte string. */
export function encodeUtf8(s: string): string {
  if (ASCII.test(s)) return s;
  let out = '';
  for (const ch of s) out += encodeRune(ch.codePointAt(0) ?? 0xfffd);
  return out;
}

export function encodeRune(cp: number): string {
  const f = String.fromCharCode;
  if (cp < 0x80) return f(cp);
  if (cp < 0x800) return f(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x10000) return f(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return f(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** Decodes the rune starting at byte `i`; invalid sequences yield U+FFFD of width 1. */
export function decodeRune(s: string, i: number): { cp: number; size: number } {
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return { cp: b0, size: 1 };
  // Sequence length, payload bits of the lead byte, and the smallest code point it may encode.
  const lead: [number, number, number] | null =
    b0 >= 0xc2 && b0 < 0xe0
      ? [1, b0 & 0x1f, 0x80]
      : b0 >= 0xe0 && b0 < 0xf0
        ? [2, b0 & 0x0f, 0x800]
        : b0 >= 0xf0 && b0 < 0xf5
          ? [3, b0 & 0x07, 0x10000]
          : null;
  if (lead === null) return { cp: 0xfffd, size: 1 };
  const [need, , min] = lead;
  let cp = lead[1];
  if (i + need >= s.length) return { cp: 0xfffd, size: 1 };
  for (let k = 1; k <= need; k++) {
    const b = s.charCodeAt(i + k);
    if (Number.isNaN(b) || (b & 0xc0) !== 0x80) return { cp: 0xfffd, size: 1 };
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { cp: 0xfffd, size: 1 };
  return { cp, size: need + 1 };
}

/** Internal byte string to host text. */
export function decodeUtf8(s: string): string {
  if (ASCII.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length;) {
    const { cp, size } = decodeRune(s, i);
    out += String.fromCodePoint(cp);
    i += size;
  }
  return out;
}

/** Splits a byte string into its runes, each still a byte string. */
export function runes(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length;) {
    const { cp, size } = decodeRune(s, i);
    out.push(cp === 0xfffd && size === 1 ? '\xef\xbf\xbd' : s.slice(i, i + size));
    i += size;
  }
  return out;
}
