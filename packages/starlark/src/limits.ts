import { limitExceeded } from './errors.js';

export interface Limits {
  /** Evaluation steps (expressions, statements, loop iterations, elements built). */
  maxSteps: number;
  /** Allocation budget, counted in elements and characters created over the whole run. */
  maxAllocations: number;
  /** Size of the source text, in UTF-16 code units. */
  maxSourceBytes: number;
  /** Depth of nested brackets/expressions in the source, and of nested values at run time. */
  maxNestingDepth: number;
  /** Elements of any one collection, bits of any one int. */
  maxValueSize: number;
  /**
   * Characters of any one string (bytes of any one bytes value) built at run time: checked before
   * the text is built, so a policy gets a limit error instead of exhausting the host's memory.
   */
  maxStringLength: number;
}

export const defaultLimits: Limits = Object.freeze({
  maxSteps: 10_000_000,
  maxAllocations: 20_000_000,
  maxSourceBytes: 1_000_000,
  maxNestingDepth: 200,
  maxValueSize: 4_000_000,
  maxStringLength: 4_000_000,
});

const ENTRY_WEIGHT = 4;

/**
 * Fills in the defaults. A caller that narrows `maxValueSize` but says nothing of strings gets
 * strings no longer than its values either (strings were bounded by the value size before they
 * had a limit of their own).
 */
export function resolveLimits(partial: Partial<Limits> | undefined): Limits {
  if (!partial) return defaultLimits;
  const strings =
    partial.maxStringLength ?? Math.min(defaultLimits.maxStringLength, partial.maxValueSize ?? Infinity);
  return { ...defaultLimits, ...partial, maxStringLength: strings };
}

/** Mutable per-execution counters; one instance per `execModule` call, shared by all code. */
export class Budget {
  steps = 0;
  allocations = 0;
  readonly limits: Limits;

  constructor(limits: Limits) {
    this.limits = limits;
  }

  step(n = 1): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      limitExceeded(`step budget exhausted (${this.limits.maxSteps} steps)`);
    }
  }

  /** Accounts for `n` new elements/characters and checks the result size of one value. */
  alloc(n: number, resultSize = n): void {
    if (resultSize > this.limits.maxValueSize) {
      limitExceeded(`value too large (${resultSize} > ${this.limits.maxValueSize} elements)`);
    }
    this.allocations += n;
    if (this.allocations > this.limits.maxAllocations) {
      limitExceeded(`allocation budget exhausted (${this.limits.maxAllocations})`);
    }
  }

  /**
   * Checks the length of a string about to be built. `atLeast` when the text was abandoned part way,
   * so its full length is unknown.
   */
  checkString(length: number, atLeast = false): void {
    const max = this.limits.maxStringLength;
    if (length <= max) return;
    const size = atLeast ? `more than ${max}` : `${length} > ${max}`;
    limitExceeded(`string too long (${size} characters; the string length limit is ${max})`);
  }

  /** A new string of `length` characters: checked, then counted against the allocation budget. */
  string(length: number): void {
    this.checkString(length);
    this.alloc(length, 0);
  }

  /** Hash-table entries cost several times a list slot, so they are weighed accordingly. */
  allocEntries(n: number, resultSize = n): void {
    this.alloc(n * ENTRY_WEIGHT, resultSize * ENTRY_WEIGHT);
  }
}
