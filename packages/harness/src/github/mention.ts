export type MentionKind = 'implement' | 'fix_ci' | 'review' | 'address_review' | 'free_text';

export interface MentionCommand {
  kind: MentionKind;
  /** Everything written after the handle (untrusted; code blocks kept), trimmed. */
  text: string;
}

export const defaultMentionHandle = '@harness';

/** Blanks a range but keeps its length and newlines, so offsets in the masked text match the original. */
function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

const fence = /^ {0,3}(`{3,}|~{3,})/;

/** Masks fenced code blocks and quoted lines (`> …`), which quote someone rather than ask us. */
function maskBlocks(body: string): string {
  const lines = body.split('\n');
  let open: string | null = null;
  return lines
    .map((line) => {
      const marker = fence.exec(line)?.[1];
      if (open !== null) {
        if (marker !== undefined && marker[0] === open[0] && marker.length >= open.length) open = null;
        return blank(line);
      }
      if (marker !== undefined) {
        open = marker;
        return blank(line);
      }
      return /^ {0,3}>/.test(line) ? blank(line) : line;
    })
    .join('\n');
}

/** Masks what renders as code or not at all: inline code spans and HTML comments. */
function maskInline(body: string): string {
  return body.replace(/<!--[\s\S]*?(?:-->|$)/g, blank).replace(/(`+)[^`]*?\1/g, blank);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function handlePattern(handle: string): RegExp {
  const normalized = handle.startsWith('@') ? handle : `@${handle}`;
  // Word-bounded both ways: not part of an e-mail address or path before, not a longer login
  // (`@harness-bot`, `@harnessx`, `@harness[bot]`) after.
  return new RegExp(`(?<![A-Za-z0-9_@./-])${escapeRegExp(normalized)}(?![A-Za-z0-9_\\-\\[])`, 'i');
}

const politeness = /^(?:(?:please|pls|kindly|can you|could you|would you|will you)\b[\s,]*)+/;

const commands: ReadonlyArray<[MentionKind, RegExp]> = [
  ['fix_ci', /^fix(?:[\s_-]+the)?[\s_-]+(?:ci|build|checks?)\b/],
  [
    'address_review',
    /^(?:address|resolve|apply|handle|fix)(?:\s+(?:the|all|these|those|my|our|your|their|pending|open|remaining|new))*\s+(?:(?:code\s+)?review(?:er)?s?|comments?|feedback|suggestions?)\b/,
  ],
  ['review', /^(?:re-?)?review\b/],
  ['implement', /^implement\b/],
];

function classify(firstLine: string): MentionKind {
  const words = firstLine.toLowerCase().replace(politeness, '');
  return commands.find(([, pattern]) => pattern.test(words))?.[0] ?? 'free_text';
}

/**
 * Finds the first `@harness` mention (handle configurable, case-insensitive, word-bounded) outside
 * code blocks, inline code, quoted lines and HTML comments, and reads the command after it. Null
 * when nobody mentioned the handle.
 */
export function parseMention(body: string, handle: string = defaultMentionHandle): MentionCommand | null {
  const normalized = body.replace(/\r\n?/g, '\n');
  const masked = maskInline(maskBlocks(normalized));
  const match = handlePattern(handle).exec(masked);
  if (match === null) return null;
  const rest = normalized.slice(match.index + match[0].length);
  const text = rest.replace(/^[\s:,.;!?-]+/, '').trimEnd();
  const firstLine = maskInline(text).split('\n', 1)[0] ?? '';
  return { kind: classify(firstLine.trim()), text };
}
