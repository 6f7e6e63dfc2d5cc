/**
 * Limits on the shape of JSON that clients send, shared by every transport (JSON-RPC over stdio,
 * HTTP and WebSocket, and the REST routes) so that one message is refused the same way everywhere.
 */

/** Arrays and objects nested deeper than this are refused before the text is parsed. */
export const MAX_JSON_DEPTH = 64;

const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;

/**
 * True when `text` nests arrays/objects deeper than `limit`. A single pass over the raw text that
 * counts brackets outside strings, with no recursion, so a megabyte of `[[[[` costs a loop, not the
 * stack. It does not validate the JSON: the parser that runs after it does.
 */
export function exceedsJsonDepth(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === backslash) i++;
      else if (c === quote) inString = false;
    } else if (c === quote) inString = true;
    else if (c === openBracket || c === openBrace) {
      if (++depth > limit) return true;
    } else if (c === closeBracket || c === closeBrace) depth--;
  }
  return false;
}

export function jsonDepthMessage(limit = MAX_JSON_DEPTH): string {
  return `JSON nested deeper than the limit of ${limit} levels of arrays and objects`;
}

/** A `\uD800`–`\uDFFF` escape: the only way a lone surrogate can arrive in UTF-8 JSON text. */
const surrogateEscape = /\\u[dD][89a-fA-F]/;

/** Cheap pre-test on the raw text: false means the parsed value cannot hold a lone surrogate. */
export function mayHoldLoneSurrogate(text: string): boolean {
  return surrogateEscape.test(text);
}

/**
 * The path (`params.prompt`, `tasks[2].prompt`) of the first string — value or key — in `value`
 * that is not well-formed UTF-16 (a lone surrogate, which no UTF-8 store can hold exactly), or
 * null when there is none. Walks with an explicit stack, so depth costs no host stack.
 */
export function findLoneSurrogate(value: unknown, root = ''): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (!isWellFormed(current)) return path || '(the whole message)';
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${path}[${i}]`]);
    } else if (typeof current === 'object' && current !== null) {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const at = path ? `${path}.${key}` : key;
        if (!isWellFormed(key)) return `${at} (the key)`;
        stack.push([(current as Record<string, unknown>)[key], at]);
      }
    }
  }
  return null;
}

export function loneSurrogateMessage(path: string): string {
  return `${path}: text contains a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape); send well-formed Unicode`;
}

/** `String.prototype.isWellFormed` (ES2024), with a fallback for runtimes that lack it. */
function isWellFormed(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  if (native) return native.call(text);
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
