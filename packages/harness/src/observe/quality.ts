import type { Grade, Quality } from '@harness/protocol';

/** Counts the grade is computed from; `violations` are open rule violations (0 when unknown). */
export interface QualityInputs {
  total: number;
  security_blocks: number;
  instability: number;
  slow: number;
  violations: number;
}

/** Operations slower than this count against the performance dimension. */
export const slowOperationMs = 5000;

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * The weighted quality score of the original: security 40%, stability 30%, coverage 20%,
 * performance 10%; the grade is taken on the truncated score (89.9 is a B, not an A).
 */
export function gradeQuality(inputs: QualityInputs): Quality {
  const total = Math.max(1, inputs.total);
  const security = (1 - inputs.security_blocks / total) * 100;
  const stability = (1 - inputs.instability / total) * 100;
  const coverage = inputs.violations === 0 ? 100 : (1 - Math.min(inputs.violations / 100, 1)) * 100;
  const performance = (1 - inputs.slow / total) * 100;
  const score = 0.4 * security + 0.3 * stability + 0.2 * coverage + 0.1 * performance;
  return {
    score: round1(score),
    grade: gradeFor(score),
    dimensions: {
      security: round1(security),
      stability: round1(stability),
      coverage: round1(coverage),
      performance: round1(performance),
    },
  };
}

export function gradeFor(score: number): Grade {
  const whole = Math.floor(score);
  if (whole >= 90) return 'A';
  if (whole >= 70) return 'B';
  if (whole >= 50) return 'C';
  return 'D';
}
