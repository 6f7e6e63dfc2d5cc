/**
 * The package's source files import one another without cycles: a cycle (as the method tables
 * once had through builtins.ts, for its global budget) makes module order matter and hides
 * which file depends on which.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph } from './import-graph.js';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

describe('imports among the starlark sources', () => {
  it('form no cycle', () => {
    const graph = importGraph(srcDir);
    expect(graph.get('attrs.ts')).toContain('methods-dict.ts'); // the graph is really read
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('finds a planted cycle, a self-import and a cycle reached from an acyclic part', () => {
    const graph = new Map([
      ['builtins.ts', ['attrs.ts', 'values.ts']],
      ['attrs.ts', ['methods-dict.ts']],
      ['methods-dict.ts', ['builtins.ts', 'values.ts']],
      ['values.ts', []],
      ['lonely.ts', ['lonely.ts']],
    ]);
    expect(findCycles(graph)).toEqual([
      ['attrs.ts', 'methods-dict.ts', 'builtins.ts', 'attrs.ts'],
      ['lonely.ts', 'lonely.ts'],
    ]);
    expect(
      findCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });
});
