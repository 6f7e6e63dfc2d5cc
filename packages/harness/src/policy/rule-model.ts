import type { Decision } from './decision.js';

/** Where a rule came from, so every message can point into the policy file. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * One prefix rule after first-token expansion: `program` is the exact first token, `tail` holds one
 * alternative set per following position (a single-element set is a plain token).
 */
export interface PrefixRule {
  readonly id: number;
  readonly program: string;
  readonly tail: readonly (readonly string[])[];
  readonly decision: Decision;
  readonly justification: string | undefined;
  readonly source: SourcePosition;
}

export const NETWORK_PROTOCOLS = ['http', 'https', 'socks5_tcp', 'socks5_udp'] as const;
export type NetworkProtocol = (typeof NETWORK_PROTOCOLS)[number];

export interface NetworkRule {
  readonly id: number;
  readonly host: string;
  readonly protocol: NetworkProtocol;
  readonly decision: Decision;
  readonly justification: string | undefined;
  readonly source: SourcePosition;
}

/** The immutable result of evaluating every policy file once. */
export interface RuleSet {
  readonly prefixRules: readonly PrefixRule[];
  /** name → allowed absolute paths; a declared name with no paths never resolves. */
  readonly hostExecutables: ReadonlyMap<string, readonly string[]>;
  readonly networkRules: readonly NetworkRule[];
}

/**
 * Token-wise prefix comparison with exact string equality (codex execpolicy semantics): returns
 * the matched prefix, or undefined. `argv[0]` is compared by the caller through the index.
 */
export function matchTail(rule: PrefixRule, argv: readonly string[]): string[] | undefined {
  const { tail } = rule;
  if (argv.length < tail.length + 1) return undefined;
  for (let i = 0; i < tail.length; i++) {
    const token = argv[i + 1] as string;
    const alternatives = tail[i] as readonly string[];
    if (!alternatives.includes(token)) return undefined;
  }
  return argv.slice(0, tail.length + 1);
}

/** `git [push|pull] --force`: a compact, readable rendering of a rule's pattern. */
export function renderPattern(rule: Pick<PrefixRule, 'program' | 'tail'>): string {
  const parts = [
    rule.program,
    ...rule.tail.map((alts) => (alts.length === 1 ? alts[0] : `[${alts.join('|')}]`)),
  ];
  return parts.join(' ');
}
