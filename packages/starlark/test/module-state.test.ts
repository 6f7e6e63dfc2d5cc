/**
 * The interpreter keeps its mutable state on the Thread of each evaluation, not in modules: no
 * source file declares a module-level `let` or `var`, except the one justified in values.ts (the
 * process-wide identity numbering of builtins used as hash keys).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const justified = ['values.ts: nextIdentity'];

/** `file: name` of each variable a file declares with `let` or `var` at its top level. */
function moduleLevelVariables(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  return source.statements
    .filter(ts.isVariableStatement)
    .filter((statement) => (statement.declarationList.flags & ts.NodeFlags.Const) === 0)
    .flatMap((statement) =>
      statement.declarationList.declarations.map((d) => `${file}: ${d.name.getText(source)}`),
    );
}

describe('module-level state of the starlark sources', () => {
  it('declares no module-level let or var beyond the justified one', () => {
    const found = readdirSync(srcDir)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .flatMap((name) => moduleLevelVariables(name, readFileSync(path.join(srcDir, name), 'utf8')));
    expect(found).toEqual(justified);
  });

  it('sees a module-level let or var, and not one inside a function', () => {
    const text = 'let a = 1;\nvar b = 2, c = 3;\nconst d = 4;\nfunction f() { let e = 5; return e; }\n';
    expect(moduleLevelVariables('x.ts', text)).toEqual(['x.ts: a', 'x.ts: b', 'x.ts: c']);
  });
});
