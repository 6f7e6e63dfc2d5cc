/** Decisions are totally ordered so that combining several matches is a `max`. */
export const DECISIONS = ['allow', 'prompt', 'forbidden'] as const;
export type Decision = (typeof DECISIONS)[number];

const RANK: Record<Decision, number> = { allow: 0, prompt: 1, forbidden: 2 };

export function isDecision(value: unknown): value is Decision {
  return typeof value === 'string' && (DECISIONS as readonly string[]).includes(value);
}

export function decisionRank(decision: Decision): number {
  return RANK[decision];
}

/** The stricter of two decisions; `undefined` means "no opinion" and never wins. */
export function stricter(a: Decision | undefined, b: Decision | undefined): Decision | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

export function strictest(decisions: Iterable<Decision>): Decision | undefined {
  let result: Decision | undefined;
  for (const d of decisions) result = stricter(result, d);
  return result;
}

/** `decision`, raised to `floor` if it is less strict. */
export function atLeast(decision: Decision, floor: Decision): Decision {
  return RANK[decision] >= RANK[floor] ? decision : floor;
}
