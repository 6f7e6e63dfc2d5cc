import { lineGuard, type BuiltinCatalogueFile, type BuiltinGuard } from './types.js';

/**
 * The quality rules of the shipped catalogue for TypeScript/JavaScript, Python, Go and Rust. A rule
 * with a `fix_pattern` has a file of its own, because the frontmatter (and so the fix) belongs to
 * every rule of a file.
 */
const TS = '"**/*.{ts,tsx,mts,cts}"';
const JS_TS = '"**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}"';

const typescript = `---
paths: [${JS_TS}]
---
# TypeScript and JavaScript

## TS-01: No explicit \`any\` (medium)
\`any\` switches the type checker off for the value and everything it flows into. Use \`unknown\` and
narrow it, a precise type, or a generic. Applies to TypeScript files.

## TS-02: No console.log left in code (low)
\`console.log\`, \`console.debug\` and \`console.trace\` calls are debugging output that ships. Use
the project's logger, or remove them. Test files are not checked.

## TS-04: No non-null assertions (low)
\`value!\` tells the compiler a value is not null or undefined without checking; when it is, the
crash happens far from the cause. Check it (\`if (!value) throw …\`), or use \`?.\` and \`??\`.
Applies to TypeScript files.
`;

const tsIgnore = `---
paths: [${TS}]
fix_pattern: "s/@ts-ignore/@ts-expect-error/"
---
# TypeScript directives

## TS-03: No @ts-ignore (medium)
\`// @ts-ignore\` and \`// @ts-nocheck\` hide type errors, including the ones that appear later.
Fix the type; where a suppression is needed, \`// @ts-expect-error\` with a reason fails once the
error is gone. \`--fix\` turns \`@ts-ignore\` into \`@ts-expect-error\`.
`;

const python = `---
paths: "**/*.py"
---
# Python

## PY-02: No mutable default arguments (medium)
A default of \`[]\`, \`{}\`, \`list()\`, \`dict()\` or \`set()\` is created once and shared by every
call, so it keeps what earlier calls put in it. Default to \`None\` and create the value inside.

## PY-03: No print debugging (low)
\`print(...)\` calls in library code are debugging output that ships. Use \`logging\`. Test files are
not checked.

## PY-04: No assert for validation (medium)
\`assert\` statements vanish under \`python -O\`, so checks of input or state done with them do not
run in optimised builds. Raise an exception (ValueError, TypeError …). Test files are not checked.
`;

const pythonExcept = `---
paths: "**/*.py"
fix_pattern: "s/except\\s*:/except Exception:/"
---
# Python exceptions

## PY-01: No bare except (high)
\`except:\` also catches KeyboardInterrupt and SystemExit and hides every bug in the block. Catch
the exceptions you expect; \`--fix\` narrows it to \`except Exception:\`.
`;

const golang = `---
paths: "**/*.go"
---
# Go

## GO-01: Do not ignore returned errors (high)
An error assigned to \`_\` (\`_ = f()\`, \`v, _ := f()\`) is dropped: the code goes on with a zero
value as if the call had worked. Handle or return the error.

## GO-02: No panic in library code (medium)
\`panic\` outside \`package main\` takes down every program that imports the package. Return an
error instead.

## GO-03: Compare errors with errors.Is (low)
\`err == io.EOF\` or \`err != sql.ErrNoRows\` fails once the error is wrapped (\`%w\`). Use
\`errors.Is(err, target)\`.
`;

const rust = `---
paths: "**/*.rs"
---
# Rust

## RS-01: No unwrap or expect outside tests (high)
\`.unwrap()\` and \`.expect(..)\` panic on \`None\` or \`Err\`. Propagate with \`?\` or handle the case.
Tests (\`tests/\`, code after \`#[cfg(test)]\`) are not checked.

## RS-02: No todo! or unimplemented! (medium)
\`todo!()\` and \`unimplemented!()\` compile and then panic when reached. Finish the code, or return
an error that says what is missing.

## RS-03: Every unsafe block says why it is sound (medium)
An \`unsafe\` block, function or impl without a \`// SAFETY:\` comment on it or just above it. State
the invariants that make it sound, so that reviewers and later changes can check them.
`;

/** `x!` followed by member access, indexing, a call or the end of an expression; never `!=`. */
const NON_NULL = /[\w$)\]]!(?=[.[(;,)]|$)/;

const panicInLibrary: BuiltinGuard = {
  ruleId: 'GO-02',
  skipTests: true,
  check(line, context) {
    if (!/\bpanic\s*\(/.test(line.code)) return null;
    const isMain = context.lines.some((l) => /^\s*package\s+main\b/.test(l.code));
    return isMain ? null : 'panic in library code';
  },
};

const undocumentedUnsafe: BuiltinGuard = {
  ruleId: 'RS-03',
  skipTests: true,
  check(line, context) {
    if (!/\bunsafe\s*(?:\{|fn\b|impl\b)/.test(line.code)) return null;
    const above = context.lines.slice(Math.max(0, line.number - 4), line.number);
    return above.some((l) => /SAFETY:/.test(l.raw)) ? null : 'unsafe without a // SAFETY: comment';
  },
};

/** `@ts-ignore` in a comment — a directive — not in a string or in the text of a rule about it. */
const tsDirective: BuiltinGuard = {
  ruleId: 'TS-03',
  skipTests: false,
  check(line) {
    const match = /@ts-(?:ignore|nocheck)\b/.exec(line.raw);
    if (!match) return null;
    // In a comment the lexer blanks the text, and a directive is the first word of its comment.
    const inComment = line.text[match.index] === ' ';
    const opensComment = /(?:\/\/|\/\*|^\s*\*)\s*$/.test(line.raw.slice(0, match.index));
    return inComment && opensComment ? 'type errors suppressed' : null;
  },
};

/** Applies `guard` to TypeScript files only (the file also lists JavaScript for the others). */
function typescriptOnly(guard: BuiltinGuard): BuiltinGuard {
  return {
    ...guard,
    check: (line, context) => (/\.[cm]?tsx?$/.test(context.file) ? guard.check(line, context) : null),
  };
}

export const languageCatalogue: readonly BuiltinCatalogueFile[] = [
  {
    name: 'typescript.md',
    markdown: typescript,
    guards: [
      typescriptOnly(
        lineGuard(
          'TS-01',
          'code',
          [/:\s*any\b(?![\w$])/, /\bas\s+any\b/, /<any>/, /\bany\[\]/, /[<,]\s*any\s*[>,]/],
          'explicit any',
        ),
      ),
      lineGuard('TS-02', 'code', /\bconsole\.(?:log|debug|trace)\s*\(/, 'console output left in code'),
      typescriptOnly(lineGuard('TS-04', 'code', NON_NULL, 'non-null assertion')),
    ],
  },
  {
    name: 'typescript-directives.md',
    markdown: tsIgnore,
    guards: [tsDirective],
  },
  {
    name: 'python.md',
    markdown: python,
    guards: [
      lineGuard(
        'PY-02',
        'code',
        /^\s*(?:async\s+)?def\s+\w+\s*\(.*\w\s*(?::[^=,()]+)?=\s*(?:\[\s*\]|\{\s*\}|list\(\s*\)|dict\(\s*\)|set\(\s*\))\s*[,)]/,
        'mutable default argument',
        { skipTests: false },
      ),
      lineGuard('PY-03', 'code', /^\s*print\s*\(/, 'print() left in code'),
      lineGuard('PY-04', 'code', /^\s*assert\b/, 'assert used for a check'),
    ],
  },
  {
    name: 'python-exceptions.md',
    markdown: pythonExcept,
    guards: [lineGuard('PY-01', 'code', /^\s*except\s*:/, 'bare except', { skipTests: false })],
  },
  {
    name: 'go.md',
    markdown: golang,
    guards: [
      lineGuard(
        'GO-01',
        'code',
        [/^\s*_\s*=\s*[\w.]+\(/, /^\s*\w+\s*,\s*_\s*:?=\s*[\w.]+\(/],
        'returned error ignored',
      ),
      panicInLibrary,
      lineGuard(
        'GO-03',
        'code',
        /\berr\w*\s*[!=]=\s*(?!nil\b)[A-Za-z_]\w*\.(?:Err\w*|EOF)\b/,
        'error compared with == or !=',
      ),
    ],
  },
  {
    name: 'rust.md',
    markdown: rust,
    guards: [
      lineGuard('RS-01', 'code', /\.(?:unwrap|expect)\s*\(/, 'unwrap()/expect() can panic'),
      lineGuard('RS-02', 'code', /\b(?:todo|unimplemented)!\s*[([{]/, 'todo!/unimplemented! left in code'),
      undocumentedUnsafe,
    ],
  },
];
