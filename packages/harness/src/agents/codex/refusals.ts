import type { CommandDecision } from '../contract.js';

export interface CodexRefusal {
  /** The script Codex refused, or null when its message does not name it (approval needed). */
  command: string | null;
  decision: Exclude<CommandDecision, 'allow'>;
  reason: string;
}

/**
 * `codex exec --json` prints no item for a command its execpolicy refused; the only trace is a log
 * line on stderr, e.g.
 * `ERROR codex_core::tools::router: error=exec_command failed: CreateProcess { message: "Rejected(\"`/bin/bash -lc 'rm -rf x'` rejected: why\")" }`.
 */
export function parseRefusal(line: string): CodexRefusal | null {
  const inner = /CreateProcess \{ message: "Rejected\(\\"(.*)\\"\)" \}/.exec(line)?.[1];
  if (inner === undefined) return null;
  // Undo one level of Rust Debug escaping (\" and \\) in the inner message.
  const text = inner.replace(/\\(["\\])/g, '$1');
  const forbidden = /^`(.*)` rejected: (.*)$/s.exec(text);
  if (forbidden) return { command: forbidden[1] ?? '', decision: 'forbidden', reason: forbidden[2] ?? '' };
  if (/approval required/.test(text)) return { command: null, decision: 'prompt', reason: text };
  return { command: null, decision: 'forbidden', reason: text };
}

/** Reports each refusal in a growing stderr tail once (log lines carry a timestamp). */
export class RefusalWatcher {
  private readonly seen = new Set<string>();

  fresh(stderrTail: string): CodexRefusal[] {
    const found: CodexRefusal[] = [];
    for (const line of stderrTail.split('\n')) {
      if (!line.includes('Rejected(') || this.seen.has(line)) continue;
      const refusal = parseRefusal(line);
      // A line cut by the tail's start or not yet complete is left for the next look.
      if (refusal === null) continue;
      this.seen.add(line);
      found.push(refusal);
    }
    return found;
  }
}
