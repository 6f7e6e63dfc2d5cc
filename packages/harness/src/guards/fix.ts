import { readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '@harness/protocol';
import { isWithin } from '../core/index.js';
import { parseFixPattern, type FixPattern } from './rule-file.js';
import type { Rule } from './scan.js';

/**
 * `--fix`: each finding whose rule has a `fix_pattern` gets it applied to the line it was reported
 * on — only that line, unlike the original's replace-all over the file, so a fix cannot touch code
 * nobody flagged. Files outside the root (by path or symlink) are never written. The caller scans
 * again to see what is left.
 */
export interface FixResult {
  /** Relative to the root. */
  readonly filesChanged: readonly string[];
  readonly fixesApplied: number;
  /** Findings with a fix that was not applied, and why. */
  readonly notApplied: readonly { readonly finding: Finding; readonly reason: string }[];
}

export async function applyFixes(
  projectRoot: string,
  findings: readonly Finding[],
  rules: ReadonlyMap<string, Rule>,
): Promise<FixResult> {
  const root = await realpath(path.resolve(projectRoot));
  const byFile = new Map<string, { finding: Finding; fix: FixPattern }[]>();
  const notApplied: { finding: Finding; reason: string }[] = [];
  for (const finding of findings) {
    const pattern = rules.get(finding.rule_id)?.fixPattern;
    if (!pattern) continue;
    if (finding.line === null) {
      notApplied.push({ finding, reason: 'the finding has no line' });
      continue;
    }
    const list = byFile.get(finding.file) ?? [];
    list.push({ finding, fix: parseFixPattern(pattern) });
    byFile.set(finding.file, list);
  }
  const filesChanged: string[] = [];
  let fixesApplied = 0;
  for (const [file, fixes] of byFile) {
    const target = await realpath(path.resolve(root, file)).catch(() => null);
    if (target === null || !isWithin(root, target)) {
      for (const { finding } of fixes)
        notApplied.push({ finding, reason: `${file} is not a file inside ${root}` });
      continue;
    }
    const content = await readFile(target, 'utf8');
    const newline = content.includes('\r\n') ? '\r\n' : '\n';
    const lines = content.split(/\r?\n/);
    let changed = false;
    const done = new Set<string>();
    for (const { finding, fix } of fixes) {
      // The same rule reported twice on a line is one fix.
      const key = `${finding.line}:${finding.rule_id}`;
      if (done.has(key)) continue;
      done.add(key);
      const index = (finding.line as number) - 1;
      const before = lines[index];
      const after = before?.replace(fix.regex, fix.replacement);
      if (before === undefined || after === before) {
        notApplied.push({ finding, reason: `the fix pattern does not match line ${finding.line}` });
        continue;
      }
      lines[index] = after as string;
      changed = true;
      fixesApplied += 1;
    }
    if (changed) {
      await writeFile(target, lines.join(newline));
      filesChanged.push(file);
    }
  }
  return { filesChanged, fixesApplied, notApplied };
}
