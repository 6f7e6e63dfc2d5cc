import path from 'node:path';
import type { Artifact, RemediationKind } from '@harness/protocol';

/**
 * The files an agent's answer proposes: fenced blocks whose opening line names a path
 * (```` ```markdown .harness/rules/x.md ````), content up to the matching closing fence. Fences
 * inside the content (a SKILL.md with examples) are followed by depth, so they do not end the file.
 * Only paths under the places `allowed` names are kept; the rest are reported, not dropped silently.
 */
export interface FencedFiles {
  readonly artifacts: Artifact[];
  /** Blocks with a path that is not allowed here, or that leaves the project. */
  readonly refused: string[];
}

const OPEN = /^(`{3,}|~{3,})\s*(\S+)?(?:\s+(\S+))?\s*$/;

export function fencedFiles(
  text: string,
  allowed: readonly { prefix: string; kind: RemediationKind }[],
): FencedFiles {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const artifacts = new Map<string, Artifact>();
  const refused: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const target = pathOf(open[2], open[3]);
    const end = closingLine(lines, i + 1, fence);
    if (target !== null) {
      const content = `${lines.slice(i + 1, end).join('\n')}\n`;
      const kind = kindFor(target, allowed);
      if (kind === null) refused.push(target);
      else artifacts.set(target, { path: target, kind, format: 'file', content });
    }
    i = end;
  }
  return { artifacts: [...artifacts.values()], refused };
}

/** `lang path` or a lone `path` (it has a slash); anything else is a plain code block. */
function pathOf(first: string | undefined, second: string | undefined): string | null {
  const candidate = second ?? (first !== undefined && first.includes('/') ? first : undefined);
  if (candidate === undefined) return null;
  return candidate.replace(/^\.\//, '');
}

function closingLine(lines: readonly string[], from: number, fence: string): number {
  const marker = fence[0] ?? '`';
  let depth = 0;
  for (let j = from; j < lines.length; j++) {
    const line = lines[j] ?? '';
    const match = new RegExp(`^(\\${marker}{3,})(.*)$`).exec(line);
    if (!match) continue;
    const info = (match[2] ?? '').trim();
    if (info !== '') depth++;
    else if (depth > 0) depth--;
    else if ((match[1] ?? '').length >= fence.length) return j;
  }
  return lines.length;
}

function kindFor(
  target: string,
  allowed: readonly { prefix: string; kind: RemediationKind }[],
): RemediationKind | null {
  const normal = path.posix.normalize(target);
  if (path.posix.isAbsolute(normal) || normal.startsWith('..') || normal !== target) return null;
  return allowed.find((a) => normal.startsWith(a.prefix))?.kind ?? null;
}
