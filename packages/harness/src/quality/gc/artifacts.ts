import path from 'node:path';
import type { Artifact, RemediationKind } from '@harness/protocol';

/**
 * What a drafting agent's answer proposes, read from its text: fenced blocks that name a path
 * after the language (```bash .harness/guards/x.sh) first, then unified diffs (`--- a/x` +
 * `+++ b/x`), one artifact per path (the first wins). The text is untrusted: this never throws,
 * keeps paths as written (adoption checks them before anything is written) and drops what is too
 * big, saying so. An answer with no artifact makes no draft; there is no fallback.
 */

/** Larger artifacts are dropped: a remediation is a guard or a rule, not a vendored file. */
export const MAX_ARTIFACT_BYTES = 128 * 1024;
/** More artifacts than this in one answer are dropped (the first ones are kept). */
export const MAX_ARTIFACTS = 20;
const MAX_RATIONALE_CHARS = 4000;

export interface ParsedAnswer {
  artifacts: Artifact[];
  /** The prose around the blocks: why the agent proposes them. */
  rationale: string;
  /** Artifacts read but not kept, each with why. */
  dropped: { path: string; reason: string }[];
}

interface Block {
  info: string[];
  body: string;
  start: number;
  end: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Fenced code blocks with their info words; an unclosed block runs to the end of the text. */
function fencedBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) {
      i += 1;
      continue;
    }
    const fence = open[1] ?? '```';
    const info = (open[2] ?? '').trim().split(/\s+/).filter(Boolean);
    let j = i + 1;
    while (j < lines.length) {
      const line = (lines[j] ?? '').trim();
      if (line.startsWith(fence) && line.replaceAll(fence[0] ?? '`', '') === '') break;
      j += 1;
    }
    blocks.push({
      info,
      body: lines.slice(i + 1, j).join('\n'),
      start: i,
      end: Math.min(j, lines.length - 1),
    });
    i = j + 1;
  }
  return blocks;
}

/** The path a block's info string names: the word after the language, or a lone word with a `/`. */
function blockPath(info: string[]): string | null {
  const named = info.find((word) => word.startsWith('path=') || word.startsWith('file='));
  if (named !== undefined) return named.slice(named.indexOf('=') + 1) || null;
  if (info.length >= 2) return info[1] ?? null;
  const only = info[0];
  return only !== undefined && only.includes('/') ? only : null;
}

interface Diff {
  path: string;
  content: string;
  start: number;
  end: number;
}

const DIFF_LINE = /^([ +\-\\]|@@|diff |index |new file|deleted file|similarity|rename |old mode|new mode)/;

/** Unified diffs: each `--- a/x` directly followed by `+++ b/x`, with the hunk lines after it. */
function unifiedDiffs(lines: string[]): Diff[] {
  const diffs: Diff[] = [];
  for (let i = 0; i + 1 < lines.length; i += 1) {
    const minus = lines[i] ?? '';
    const plus = lines[i + 1] ?? '';
    if (!minus.startsWith('--- ') || !plus.startsWith('+++ ')) continue;
    const target = diffPath(plus.slice(4)) ?? diffPath(minus.slice(4));
    let j = i + 2;
    while (j < lines.length) {
      const line = lines[j] ?? '';
      const nextHeader = line.startsWith('--- ') && (lines[j + 1] ?? '').startsWith('+++ ');
      if (nextHeader || !DIFF_LINE.test(line)) break;
      j += 1;
    }
    if (target !== null)
      diffs.push({ path: target, content: `${lines.slice(i, j).join('\n')}\n`, start: i, end: j - 1 });
    i = j - 1;
  }
  return diffs;
}

function diffPath(header: string): string | null {
  const name = header.split('\t')[0]?.trim() ?? '';
  if (name === '' || name === '/dev/null') return null;
  return name.startsWith('a/') || name.startsWith('b/') ? name.slice(2) : name;
}

/** The kind an artifact's path says it is; the signal's remediation for any other path. */
export function artifactKind(file: string, fallback: RemediationKind): RemediationKind {
  const p = path.posix.normalize(file.replaceAll('\\', '/'));
  const inHarness = p.replace(/^\.harness\/(generated\/)?/, '');
  const harnessFile = inHarness !== p;
  if (path.posix.basename(p) === 'SKILL.md' || p.split('/').includes('skills')) return 'skill';
  if (!harnessFile) return fallback;
  if (inHarness.startsWith('guards/')) return 'guard';
  if (inHarness.startsWith('rules/') && inHarness.endsWith('.md')) return 'rule';
  if (inHarness.startsWith('policy/') && inHarness.endsWith('.star')) return 'policy_rule';
  if (inHarness === 'config.toml') return 'validation_command';
  return fallback;
}

/** Reads the artifacts and the rationale out of an agent's answer. Never throws. */
export function parseArtifacts(text: string, fallback: RemediationKind): ParsedAnswer {
  const lines = text.replaceAll('\r\n', '\n').split('\n');
  const blocks = fencedBlocks(lines);
  const candidates: Omit<Artifact, 'kind'>[] = [];
  const used = new Set<number>();
  for (const block of blocks) {
    const file = blockPath(block.info);
    if (file === null) continue;
    for (let k = block.start; k <= block.end; k += 1) used.add(k);
    const body = block.body.endsWith('\n') || block.body === '' ? block.body : `${block.body}\n`;
    const isDiff = /^--- .*\n\+\+\+ /m.test(body) && ['diff', 'patch'].includes(block.info[0] ?? '');
    candidates.push({ path: file, format: isDiff ? 'diff' : 'file', content: body });
  }
  // Diffs outside path-named blocks (bare, or in ```diff blocks without a path).
  const rest = lines.map((line, k) => (used.has(k) ? '' : line));
  const diffs = unifiedDiffs(rest);
  for (const diff of diffs) candidates.push({ path: diff.path, content: diff.content, format: 'diff' });
  return keep(candidates, fallback, rationaleOf(lines, [...blocks, ...diffs]));
}

function keep(
  candidates: Omit<Artifact, 'kind'>[],
  fallback: RemediationKind,
  rationale: string,
): ParsedAnswer {
  const artifacts: Artifact[] = [];
  const dropped: ParsedAnswer['dropped'] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const file = candidate.path.trim();
    if (file === '' || seen.has(file)) continue;
    seen.add(file);
    const bytes = Buffer.byteLength(candidate.content);
    if (bytes > MAX_ARTIFACT_BYTES) {
      dropped.push({ path: file, reason: `${bytes} bytes, over the ${MAX_ARTIFACT_BYTES}-byte limit` });
    } else if (artifacts.length >= MAX_ARTIFACTS) {
      dropped.push({ path: file, reason: `more than ${MAX_ARTIFACTS} artifacts in one answer` });
    } else {
      artifacts.push({ ...candidate, path: file, kind: artifactKind(file, fallback) });
    }
  }
  return { artifacts, rationale, dropped };
}

function rationaleOf(lines: string[], spans: { start: number; end: number }[]): string {
  const inBlock = new Set<number>();
  for (const span of spans) for (let k = span.start; k <= span.end; k += 1) inBlock.add(k);
  const prose = lines
    .filter((_line, k) => !inBlock.has(k))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return prose.length > MAX_RATIONALE_CHARS ? `${prose.slice(0, MAX_RATIONALE_CHARS)} …` : prose;
}
