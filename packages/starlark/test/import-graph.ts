import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Source file (relative to its directory, e.g. `builtins.ts`) → the source files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/**
 * The relative imports among the package's source files (tests left out), type-only imports
 * included: they are edges of the design even when the compiler erases them.
 */
export function importGraph(srcDir: string): ImportGraph {
  const files = readdirSync(srcDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(path.join(srcDir, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.relative(srcDir, path.resolve(srcDir, specifier)).replace(/\.js$/, '.ts'));
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * Import cycles, each as the files along it with the first repeated at the end
 * (`a.ts → b.ts → a.ts`): a depth-first search reports the cycle closed by each back edge it
 * meets, so the result is empty exactly when the graph has no cycle.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}
