/**
 * A skill's score from the outcomes of the finished tasks that used it, oldest first — the
 * governance formula of the original: after each task, raw = (succeeded − 0.7·failed) / n over the
 * tasks so far, and score = 0.8·score + 0.2·(raw + 1) / 2, starting from a neutral 0.5. A failure
 * weighs less than a success (a task fails for many reasons besides its skills), and the smoothing
 * keeps one task from swinging the score. Null until a task that used the skill has finished.
 */
export function skillScore(outcomes: readonly ('succeeded' | 'failed')[]): number | null {
  if (outcomes.length === 0) return null;
  let score = 0.5;
  let succeeded = 0;
  let failed = 0;
  for (const outcome of outcomes) {
    if (outcome === 'succeeded') succeeded += 1;
    else failed += 1;
    const raw = (succeeded - 0.7 * failed) / (succeeded + failed);
    score = 0.8 * score + 0.2 * ((raw + 1) / 2);
  }
  return Math.round(score * 10_000) / 10_000;
}
