import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir } from './corpus.js';
import { formatScores, scoreAll, type Scores } from './scoring.js';

const available = corpusAvailable();
if (!available) {
  console.warn(`starlark conformance: corpus not found at ${corpusDir()}; the conformance tests are skipped`);
}

// Scoring runs every corpus program once (a few seconds); allow for a busy machine.
describe.skipIf(!available)(
  'starlark conformance (../shared/conformance/starlark)',
  { timeout: 180_000 },
  () => {
    let scores: Scores;
    const suite = (name: string) => {
      scores ??= scoreAll();
      const t = scores.suites[name];
      if (t === undefined) throw new Error(`no suite ${name}`);
      return t;
    };

    it('gets every rejected case right under both profiles', () => {
      const t = suite('rejected');
      expect(t.failures).toEqual([]);
      expect(t.casesStrict).toBe(t.cases);
      expect(t.cases).toBeGreaterThan(0);
    });

    it('gets every policy case right', () => {
      const t = suite('policy');
      expect(t.failures).toEqual([]);
      expect(t.casesStrict).toBe(t.cases);
      expect(t.cases).toBeGreaterThan(0);
    });

    it('passes at least 95% of the core checks, strictly scored', () => {
      const t = suite('core (all)');
      console.log(formatScores(scores));
      expect(t.checks).toBeGreaterThan(3000);
      expect(t.checksStrict / t.checks).toBeGreaterThanOrEqual(0.95);
      expect(t.checksLenient / t.checks).toBeGreaterThanOrEqual(0.95);
    });
  },
);
