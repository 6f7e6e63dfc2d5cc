import { corpusAvailable, corpusDir } from './corpus.js';
import { formatScores, scoreAll } from './scoring.js';

/* Prints the interpreter's conformance figures; `--verbose` also lists every strict failure. */
if (!corpusAvailable()) {
  console.log(
    `conformance: corpus not found at ${corpusDir()} (expected ../shared/conformance/starlark); skipped`,
  );
} else {
  const scores = scoreAll();
  console.log(formatScores(scores));
  if (process.argv.includes('--verbose')) {
    for (const [name, t] of Object.entries(scores.suites)) {
      for (const f of t.failures) console.log(`FAIL ${name} ${f.id}: ${f.reason}`);
    }
  }
}
